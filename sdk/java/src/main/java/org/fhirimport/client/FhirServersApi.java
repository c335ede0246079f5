package org.fhirimport.client;

import io.grpc.ManagedChannel;
import java.time.Duration;
import org.fhirimport.v1.FhirServer;
import org.fhirimport.v1.FhirServerServiceGrpc.FhirServerServiceBlockingStub;
import org.fhirimport.v1.GetFhirServerRequest;
import org.fhirimport.v1.ListFhirServersRequest;
import org.fhirimport.v1.ListFhirServersResponse;
import org.fhirimport.v1.PreviewScrapeRequest;
import org.fhirimport.v1.PreviewScrapeResponse;
import org.fhirimport.v1.RegisterFhirServerRequest;
import org.fhirimport.v1.RemoveFhirServerRequest;
import org.fhirimport.v1.RemoveFhirServerResponse;
import org.fhirimport.v1.UpdateFhirServerRequest;

/** {@code FhirServerService}: the registered FHIR servers (writes are for platform admins). */
public final class FhirServersApi extends ServiceApi<FhirServerServiceBlockingStub, FhirServersApi> {
  FhirServersApi(
      FhirServerServiceBlockingStub stub, ManagedChannel channel, RetryPolicy retry, Duration timeout) {
    super(stub, channel, retry, timeout);
  }

  @Override
  FhirServersApi copy(Duration timeout) {
    return new FhirServersApi(stub, channel, retry, timeout);
  }

  /** Registers a FHIR server. */
  public FhirServer registerFhirServer(RegisterFhirServerRequest request) {
    return call("RegisterFhirServer", s -> s.registerFhirServer(request));
  }

  /** Returns one FHIR server. */
  public FhirServer getFhirServer(GetFhirServerRequest request) {
    return call("GetFhirServer", s -> s.getFhirServer(request));
  }

  /** Lists the FHIR servers. */
  public ListFhirServersResponse listFhirServers(ListFhirServersRequest request) {
    return call("ListFhirServers", s -> s.listFhirServers(request));
  }

  /** Changes a FHIR server. */
  public FhirServer updateFhirServer(UpdateFhirServerRequest request) {
    return call("UpdateFhirServer", s -> s.updateFhirServer(request));
  }

  /** Removes a FHIR server. */
  public RemoveFhirServerResponse removeFhirServer(RemoveFhirServerRequest request) {
    return call("RemoveFhirServer", s -> s.removeFhirServer(request));
  }

  /** Scrapes one DocumentReference's metadata without storing anything. */
  public PreviewScrapeResponse previewScrape(PreviewScrapeRequest request) {
    return call("PreviewScrape", s -> s.previewScrape(request));
  }
}
