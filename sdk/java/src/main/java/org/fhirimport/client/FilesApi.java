package org.fhirimport.client;

import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.fhirimport.v1.File;
import org.fhirimport.v1.FileServiceGrpc.FileServiceBlockingStub;
import org.fhirimport.v1.GetFileRequest;
import org.fhirimport.v1.ListFilesRequest;
import org.fhirimport.v1.ListFilesResponse;
import org.fhirimport.v1.MetadataFilter;

/** {@code FileService}: the files imports made. */
public final class FilesApi extends ServiceApi<FileServiceBlockingStub, FilesApi> {
  FilesApi(FileServiceBlockingStub stub, ManagedChannel channel, RetryPolicy retry, Duration timeout) {
    super(stub, channel, retry, timeout);
  }

  @Override
  FilesApi copy(Duration timeout) {
    return new FilesApi(stub, channel, retry, timeout);
  }

  /** Returns one file, its DocumentReference JSON included. */
  public File getFile(GetFileRequest request) {
    return call("GetFile", s -> s.getFile(request));
  }

  /** Returns one file by id. */
  public File getFile(String id) {
    return getFile(GetFileRequest.newBuilder().setId(id).build());
  }

  /** One page of a project's files. */
  public ListFilesResponse listFiles(ListFilesRequest request) {
    return call("ListFiles", s -> s.listFiles(request));
  }

  /** Every file of {@code project}, oldest first. */
  public Stream<File> listFiles(String project) {
    return listFiles(project, ListFilesOptions.ALL);
  }

  /**
   * The files of {@code project} (id or slug), oldest first, the next page
   * fetched as the stream reaches it; {@code options} filter by metadata and import.
   */
  public Stream<File> listFiles(String project, ListFilesOptions options) {
    ListFilesRequest.Builder request =
        ListFilesRequest.newBuilder()
            .setProject(project)
            .setImportId(options.importId())
            .setPageSize(options.pageSize());
    for (Map.Entry<String, String> filter : new TreeMap<>(options.where()).entrySet()) {
      request.addFilters(
          MetadataFilter.newBuilder().setKey(filter.getKey()).setValue(filter.getValue()));
    }
    ListFilesRequest first = request.build();
    return Pages.stream(
        token -> listFiles(first.toBuilder().setPageToken(token).build()),
        ListFilesResponse::getFilesList,
        ListFilesResponse::getNextPageToken);
  }
}
