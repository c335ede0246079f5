package org.fhirimport.client;

import io.grpc.ManagedChannel;
import java.time.Duration;
import org.fhirimport.v1.GetSchemaRequest;
import org.fhirimport.v1.ListSchemasRequest;
import org.fhirimport.v1.ListSchemasResponse;
import org.fhirimport.v1.PutSchemaRequest;
import org.fhirimport.v1.SchemaInfo;
import org.fhirimport.v1.SchemaServiceGrpc.SchemaServiceBlockingStub;

/** {@code SchemaService}: the metadata schemas (writes are for platform admins). */
public final class SchemasApi extends ServiceApi<SchemaServiceBlockingStub, SchemasApi> {
  SchemasApi(SchemaServiceBlockingStub stub, ManagedChannel channel, RetryPolicy retry, Duration timeout) {
    super(stub, channel, retry, timeout);
  }

  @Override
  SchemasApi copy(Duration timeout) {
    return new SchemasApi(stub, channel, retry, timeout);
  }

  /** Stores a schema (a new version when the name exists). */
  public SchemaInfo putSchema(PutSchemaRequest request) {
    return call("PutSchema", s -> s.putSchema(request));
  }

  /** Returns one schema version. */
  public SchemaInfo getSchema(GetSchemaRequest request) {
    return call("GetSchema", s -> s.getSchema(request));
  }

  /** Lists the schemas. */
  public ListSchemasResponse listSchemas(ListSchemasRequest request) {
    return call("ListSchemas", s -> s.listSchemas(request));
  }
}
