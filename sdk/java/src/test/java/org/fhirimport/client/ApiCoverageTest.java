package org.fhirimport.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.fhirimport.v1.FhirServerServiceGrpc;
import org.fhirimport.v1.FileServiceGrpc;
import org.fhirimport.v1.ImportServiceGrpc;
import org.fhirimport.v1.ProjectServiceGrpc;
import org.fhirimport.v1.SchemaServiceGrpc;
import org.junit.jupiter.api.Test;

/**
 * Every RPC of every service has its method on the SDK's wrapper (so new
 * RPCs in proto/ cannot be left out), and exactly the reads are retried.
 */
class ApiCoverageTest {
  private static final Map<ServiceDescriptor, Class<?>> WRAPPERS =
      Map.of(
          ProjectServiceGrpc.getServiceDescriptor(), ProjectsApi.class,
          ImportServiceGrpc.getServiceDescriptor(), ImportsApi.class,
          FileServiceGrpc.getServiceDescriptor(), FilesApi.class,
          FhirServerServiceGrpc.getServiceDescriptor(), FhirServersApi.class,
          SchemaServiceGrpc.getServiceDescriptor(), SchemasApi.class);

  @Test
  void everyRpcHasItsMethodOnTheWrapper() {
    List<String> missing = new ArrayList<>();
    int rpcs = 0;
    for (Map.Entry<ServiceDescriptor, Class<?>> service : WRAPPERS.entrySet()) {
      for (MethodDescriptor<?, ?> rpc : service.getKey().getMethods()) {
        rpcs++;
        String rpcName = rpc.getBareMethodName();
        String javaName = Character.toLowerCase(rpcName.charAt(0)) + rpcName.substring(1);
        boolean found = false;
        for (Method method : service.getValue().getMethods()) {
          if (method.getName().equals(javaName) && Modifier.isPublic(method.getModifiers())) {
            found = true;
          }
        }
        if (!found) {
          missing.add(service.getValue().getSimpleName() + "." + javaName);
        }
      }
    }
    assertEquals(List.of(), missing);
    assertTrue(rpcs >= 21, "every service's RPCs were looked at: " + rpcs);
  }

  @Test
  void onlyReadsAreRetried() {
    Set<String> reads = new TreeSet<>();
    for (ServiceDescriptor service : WRAPPERS.keySet()) {
      for (MethodDescriptor<?, ?> rpc : service.getMethods()) {
        if (ServiceApi.isRead(rpc.getBareMethodName())) {
          reads.add(rpc.getBareMethodName());
        }
      }
    }
    assertEquals(
        new TreeSet<>(
            List.of(
                "GetFhirServer", "GetFile", "GetImport", "GetProject", "GetSchema",
                "ListFhirServers", "ListFiles", "ListImportItems", "ListImports", "ListProjects",
                "ListSchemas", "PreviewScrape")),
        reads);
    assertTrue(!ServiceApi.isRead("CancelImport") && !ServiceApi.isRead("RescrapeFiles"));
  }
}
