package org.fhirimport.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * Bulk import of FHIR R4 DocumentReferences into a project, and following
 * each import while it runs.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: fhir_import/v1/import.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class ImportServiceGrpc {

  private ImportServiceGrpc() {}

  public static final String SERVICE_NAME = "fhir_import.v1.ImportService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.ImportDocumentsRequest,
      org.fhirimport.v1.ImportDocumentsResponse> getImportDocumentsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ImportDocuments",
      requestType = org.fhirimport.v1.ImportDocumentsRequest.class,
      responseType = org.fhirimport.v1.ImportDocumentsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.ImportDocumentsRequest,
      org.fhirimport.v1.ImportDocumentsResponse> getImportDocumentsMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.ImportDocumentsRequest, org.fhirimport.v1.ImportDocumentsResponse> getImportDocumentsMethod;
    if ((getImportDocumentsMethod = ImportServiceGrpc.getImportDocumentsMethod) == null) {
      synchronized (ImportServiceGrpc.class) {
        if ((getImportDocumentsMethod = ImportServiceGrpc.getImportDocumentsMethod) == null) {
          ImportServiceGrpc.getImportDocumentsMethod = getImportDocumentsMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.ImportDocumentsRequest, org.fhirimport.v1.ImportDocumentsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ImportDocuments"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.ImportDocumentsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.ImportDocumentsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ImportServiceMethodDescriptorSupplier("ImportDocuments"))
              .build();
        }
      }
    }
    return getImportDocumentsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.WatchImportRequest,
      org.fhirimport.v1.ImportEvent> getWatchImportMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WatchImport",
      requestType = org.fhirimport.v1.WatchImportRequest.class,
      responseType = org.fhirimport.v1.ImportEvent.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.WatchImportRequest,
      org.fhirimport.v1.ImportEvent> getWatchImportMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.WatchImportRequest, org.fhirimport.v1.ImportEvent> getWatchImportMethod;
    if ((getWatchImportMethod = ImportServiceGrpc.getWatchImportMethod) == null) {
      synchronized (ImportServiceGrpc.class) {
        if ((getWatchImportMethod = ImportServiceGrpc.getWatchImportMethod) == null) {
          ImportServiceGrpc.getWatchImportMethod = getWatchImportMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.WatchImportRequest, org.fhirimport.v1.ImportEvent>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WatchImport"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.WatchImportRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.ImportEvent.getDefaultInstance()))
              .setSchemaDescriptor(new ImportServiceMethodDescriptorSupplier("WatchImport"))
              .build();
        }
      }
    }
    return getWatchImportMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.GetImportRequest,
      org.fhirimport.v1.Import> getGetImportMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetImport",
      requestType = org.fhirimport.v1.GetImportRequest.class,
      responseType = org.fhirimport.v1.Import.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.GetImportRequest,
      org.fhirimport.v1.Import> getGetImportMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.GetImportRequest, org.fhirimport.v1.Import> getGetImportMethod;
    if ((getGetImportMethod = ImportServiceGrpc.getGetImportMethod) == null) {
      synchronized (ImportServiceGrpc.class) {
        if ((getGetImportMethod = ImportServiceGrpc.getGetImportMethod) == null) {
          ImportServiceGrpc.getGetImportMethod = getGetImportMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.GetImportRequest, org.fhirimport.v1.Import>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetImport"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.GetImportRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.Import.getDefaultInstance()))
              .setSchemaDescriptor(new ImportServiceMethodDescriptorSupplier("GetImport"))
              .build();
        }
      }
    }
    return getGetImportMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.ListImportsRequest,
      org.fhirimport.v1.ListImportsResponse> getListImportsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListImports",
      requestType = org.fhirimport.v1.ListImportsRequest.class,
      responseType = org.fhirimport.v1.ListImportsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.ListImportsRequest,
      org.fhirimport.v1.ListImportsResponse> getListImportsMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.ListImportsRequest, org.fhirimport.v1.ListImportsResponse> getListImportsMethod;
    if ((getListImportsMethod = ImportServiceGrpc.getListImportsMethod) == null) {
      synchronized (ImportServiceGrpc.class) {
        if ((getListImportsMethod = ImportServiceGrpc.getListImportsMethod) == null) {
          ImportServiceGrpc.getListImportsMethod = getListImportsMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.ListImportsRequest, org.fhirimport.v1.ListImportsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListImports"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.ListImportsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.ListImportsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ImportServiceMethodDescriptorSupplier("ListImports"))
              .build();
        }
      }
    }
    return getListImportsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.ListImportItemsRequest,
      org.fhirimport.v1.ListImportItemsResponse> getListImportItemsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListImportItems",
      requestType = org.fhirimport.v1.ListImportItemsRequest.class,
      responseType = org.fhirimport.v1.ListImportItemsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.ListImportItemsRequest,
      org.fhirimport.v1.ListImportItemsResponse> getListImportItemsMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.ListImportItemsRequest, org.fhirimport.v1.ListImportItemsResponse> getListImportItemsMethod;
    if ((getListImportItemsMethod = ImportServiceGrpc.getListImportItemsMethod) == null) {
      synchronized (ImportServiceGrpc.class) {
        if ((getListImportItemsMethod = ImportServiceGrpc.getListImportItemsMethod) == null) {
          ImportServiceGrpc.getListImportItemsMethod = getListImportItemsMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.ListImportItemsRequest, org.fhirimport.v1.ListImportItemsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListImportItems"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.ListImportItemsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.ListImportItemsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ImportServiceMethodDescriptorSupplier("ListImportItems"))
              .build();
        }
      }
    }
    return getListImportItemsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.CancelImportRequest,
      org.fhirimport.v1.Import> getCancelImportMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CancelImport",
      requestType = org.fhirimport.v1.CancelImportRequest.class,
      responseType = org.fhirimport.v1.Import.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.CancelImportRequest,
      org.fhirimport.v1.Import> getCancelImportMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.CancelImportRequest, org.fhirimport.v1.Import> getCancelImportMethod;
    if ((getCancelImportMethod = ImportServiceGrpc.getCancelImportMethod) == null) {
      synchronized (ImportServiceGrpc.class) {
        if ((getCancelImportMethod = ImportServiceGrpc.getCancelImportMethod) == null) {
          ImportServiceGrpc.getCancelImportMethod = getCancelImportMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.CancelImportRequest, org.fhirimport.v1.Import>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CancelImport"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.CancelImportRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.Import.getDefaultInstance()))
              .setSchemaDescriptor(new ImportServiceMethodDescriptorSupplier("CancelImport"))
              .build();
        }
      }
    }
    return getCancelImportMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.RescrapeFilesRequest,
      org.fhirimport.v1.RescrapeFilesResponse> getRescrapeFilesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RescrapeFiles",
      requestType = org.fhirimport.v1.RescrapeFilesRequest.class,
      responseType = org.fhirimport.v1.RescrapeFilesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.RescrapeFilesRequest,
      org.fhirimport.v1.RescrapeFilesResponse> getRescrapeFilesMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.RescrapeFilesRequest, org.fhirimport.v1.RescrapeFilesResponse> getRescrapeFilesMethod;
    if ((getRescrapeFilesMethod = ImportServiceGrpc.getRescrapeFilesMethod) == null) {
      synchronized (ImportServiceGrpc.class) {
        if ((getRescrapeFilesMethod = ImportServiceGrpc.getRescrapeFilesMethod) == null) {
          ImportServiceGrpc.getRescrapeFilesMethod = getRescrapeFilesMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.RescrapeFilesRequest, org.fhirimport.v1.RescrapeFilesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RescrapeFiles"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.RescrapeFilesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.RescrapeFilesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ImportServiceMethodDescriptorSupplier("RescrapeFiles"))
              .build();
        }
      }
    }
    return getRescrapeFilesMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static ImportServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ImportServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ImportServiceStub>() {
        @java.lang.Override
        public ImportServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ImportServiceStub(channel, callOptions);
        }
      };
    return ImportServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static ImportServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ImportServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ImportServiceBlockingStub>() {
        @java.lang.Override
        public ImportServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ImportServiceBlockingStub(channel, callOptions);
        }
      };
    return ImportServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static ImportServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ImportServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ImportServiceFutureStub>() {
        @java.lang.Override
        public ImportServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ImportServiceFutureStub(channel, callOptions);
        }
      };
    return ImportServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * Bulk import of FHIR R4 DocumentReferences into a project, and following
   * each import while it runs.
   * </pre>
   */
  public static abstract class ImportServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * Streams DocumentReferences into a project. The first message must be an
     * ImportHeader and no later message may be one; every further message is a
     * DocumentInput. Each valid document becomes a file; each invalid one is
     * rejected alone, with its index and reason, and the rest are imported.
     * The response comes once the stream ends and every accepted document is
     * stored durably; files are then recorded in the background (follow with
     * WatchImport). Errors: INVALID_ARGUMENT for a missing or misplaced header,
     * NOT_FOUND for a project the caller cannot see, ALREADY_EXISTS when an
     * import with the same idempotency key is still receiving.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<org.fhirimport.v1.ImportDocumentsRequest> importDocuments(
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ImportDocumentsResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getImportDocumentsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Follows one import live. The first event is a snapshot of the import;
     * then its events (per batch, see ImportEvent), each with a strictly
     * increasing sequence. Pass the last sequence you saw as `after_sequence`
     * to resume without missing anything; any replica serves it. The stream
     * ends once the import is in a terminal state (right after the snapshot
     * when that was already seen, or when the import finished longer ago
     * than the server keeps events: `[import] event_retention_hours`). Errors:
     * NOT_FOUND for an unknown import, OUT_OF_RANGE for an after_sequence past
     * the import's latest event, UNAVAILABLE when the server shuts down
     * (resume from the last sequence seen).
     * </pre>
     */
    public void watchImport(org.fhirimport.v1.WatchImportRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ImportEvent> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWatchImportMethod(), responseObserver);
    }

    /**
     * <pre>
     * Returns one import.
     * </pre>
     */
    public void getImport(org.fhirimport.v1.GetImportRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.Import> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetImportMethod(), responseObserver);
    }

    /**
     * <pre>
     * Lists a project's imports, newest first.
     * </pre>
     */
    public void listImports(org.fhirimport.v1.ListImportsRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ListImportsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListImportsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Lists the items of an import in stream order, optionally by state.
     * </pre>
     */
    public void listImportItems(org.fhirimport.v1.ListImportItemsRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ListImportItemsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListImportItemsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Cancels an import: items not yet processed are cancelled, files already
     * recorded stay, and a stream still sending is answered with the import in
     * state CANCELLED. The cancelled items are reported by one state-change
     * event and carry its sequence. Cancelling a finished import is
     * FAILED_PRECONDITION.
     * </pre>
     */
    public void cancelImport(org.fhirimport.v1.CancelImportRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.Import> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCancelImportMethod(), responseObserver);
    }

    /**
     * <pre>
     * Scrapes the metadata of files already in the project again, from the
     * FHIR servers they were imported from, with each server's current
     * schema and fresh reads (no cached resources): after a schema change, a
     * fix on the FHIR server, or an outage that left metadata FAILED.
     * Starts one import of kind RESCRAPE per FHIR server among the selected
     * files and returns them at once; follow each with WatchImport. Its items
     * are the files (state IMPORTED, then SCRAPED or SCRAPE_FAILED); while it
     * runs their metadata state is PENDING, and their previous pairs stay
     * until new ones replace them. Pairs the portal supplied are never
     * touched. Files whose metadata is already PENDING (being scraped) are
     * left out and counted in `already_pending`.
     * Errors: INVALID_ARGUMENT for no selection, more than 10000 file ids, a
     * listed file or an import that named no FHIR server, or a PENDING or
     * NOT_REQUESTED metadata state; NOT_FOUND for a project, an
     * import or a listed file the caller cannot see; PERMISSION_DENIED for a
     * member who may only read.
     * </pre>
     */
    public void rescrapeFiles(org.fhirimport.v1.RescrapeFilesRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.RescrapeFilesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRescrapeFilesMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getImportDocumentsMethod(),
            io.grpc.stub.ServerCalls.asyncClientStreamingCall(
              new MethodHandlers<
                org.fhirimport.v1.ImportDocumentsRequest,
                org.fhirimport.v1.ImportDocumentsResponse>(
                  this, METHODID_IMPORT_DOCUMENTS)))
          .addMethod(
            getWatchImportMethod(),
            io.grpc.stub.ServerCalls.asyncServerStreamingCall(
              new MethodHandlers<
                org.fhirimport.v1.WatchImportRequest,
                org.fhirimport.v1.ImportEvent>(
                  this, METHODID_WATCH_IMPORT)))
          .addMethod(
            getGetImportMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.GetImportRequest,
                org.fhirimport.v1.Import>(
                  this, METHODID_GET_IMPORT)))
          .addMethod(
            getListImportsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.ListImportsRequest,
                org.fhirimport.v1.ListImportsResponse>(
                  this, METHODID_LIST_IMPORTS)))
          .addMethod(
            getListImportItemsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.ListImportItemsRequest,
                org.fhirimport.v1.ListImportItemsResponse>(
                  this, METHODID_LIST_IMPORT_ITEMS)))
          .addMethod(
            getCancelImportMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.CancelImportRequest,
                org.fhirimport.v1.Import>(
                  this, METHODID_CANCEL_IMPORT)))
          .addMethod(
            getRescrapeFilesMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.RescrapeFilesRequest,
                org.fhirimport.v1.RescrapeFilesResponse>(
                  this, METHODID_RESCRAPE_FILES)))
          .build();
    }
  }

  /**
   * <pre>
   * Bulk import of FHIR R4 DocumentReferences into a project, and following
   * each import while it runs.
   * </pre>
   */
  public static final class ImportServiceStub extends io.grpc.stub.AbstractAsyncStub<ImportServiceStub> {
    private ImportServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ImportServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ImportServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Streams DocumentReferences into a project. The first message must be an
     * ImportHeader and no later message may be one; every further message is a
     * DocumentInput. Each valid document becomes a file; each invalid one is
     * rejected alone, with its index and reason, and the rest are imported.
     * The response comes once the stream ends and every accepted document is
     * stored durably; files are then recorded in the background (follow with
     * WatchImport). Errors: INVALID_ARGUMENT for a missing or misplaced header,
     * NOT_FOUND for a project the caller cannot see, ALREADY_EXISTS when an
     * import with the same idempotency key is still receiving.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<org.fhirimport.v1.ImportDocumentsRequest> importDocuments(
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ImportDocumentsResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncClientStreamingCall(
          getChannel().newCall(getImportDocumentsMethod(), getCallOptions()), responseObserver);
    }

    /**
     * <pre>
     * Follows one import live. The first event is a snapshot of the import;
     * then its events (per batch, see ImportEvent), each with a strictly
     * increasing sequence. Pass the last sequence you saw as `after_sequence`
     * to resume without missing anything; any replica serves it. The stream
     * ends once the import is in a terminal state (right after the snapshot
     * when that was already seen, or when the import finished longer ago
     * than the server keeps events: `[import] event_retention_hours`). Errors:
     * NOT_FOUND for an unknown import, OUT_OF_RANGE for an after_sequence past
     * the import's latest event, UNAVAILABLE when the server shuts down
     * (resume from the last sequence seen).
     * </pre>
     */
    public void watchImport(org.fhirimport.v1.WatchImportRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ImportEvent> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getWatchImportMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Returns one import.
     * </pre>
     */
    public void getImport(org.fhirimport.v1.GetImportRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.Import> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetImportMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Lists a project's imports, newest first.
     * </pre>
     */
    public void listImports(org.fhirimport.v1.ListImportsRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ListImportsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListImportsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Lists the items of an import in stream order, optionally by state.
     * </pre>
     */
    public void listImportItems(org.fhirimport.v1.ListImportItemsRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ListImportItemsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListImportItemsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Cancels an import: items not yet processed are cancelled, files already
     * recorded stay, and a stream still sending is answered with the import in
     * state CANCELLED. The cancelled items are reported by one state-change
     * event and carry its sequence. Cancelling a finished import is
     * FAILED_PRECONDITION.
     * </pre>
     */
    public void cancelImport(org.fhirimport.v1.CancelImportRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.Import> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCancelImportMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Scrapes the metadata of files already in the project again, from the
     * FHIR servers they were imported from, with each server's current
     * schema and fresh reads (no cached resources): after a schema change, a
     * fix on the FHIR server, or an outage that left metadata FAILED.
     * Starts one import of kind RESCRAPE per FHIR server among the selected
     * files and returns them at once; follow each with WatchImport. Its items
     * are the files (state IMPORTED, then SCRAPED or SCRAPE_FAILED); while it
     * runs their metadata state is PENDING, and their previous pairs stay
     * until new ones replace them. Pairs the portal supplied are never
     * touched. Files whose metadata is already PENDING (being scraped) are
     * left out and counted in `already_pending`.
     * Errors: INVALID_ARGUMENT for no selection, more than 10000 file ids, a
     * listed file or an import that named no FHIR server, or a PENDING or
     * NOT_REQUESTED metadata state; NOT_FOUND for a project, an
     * import or a listed file the caller cannot see; PERMISSION_DENIED for a
     * member who may only read.
     * </pre>
     */
    public void rescrapeFiles(org.fhirimport.v1.RescrapeFilesRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.RescrapeFilesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRescrapeFilesMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * Bulk import of FHIR R4 DocumentReferences into a project, and following
   * each import while it runs.
   * </pre>
   */
  public static final class ImportServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<ImportServiceBlockingStub> {
    private ImportServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ImportServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ImportServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Follows one import live. The first event is a snapshot of the import;
     * then its events (per batch, see ImportEvent), each with a strictly
     * increasing sequence. Pass the last sequence you saw as `after_sequence`
     * to resume without missing anything; any replica serves it. The stream
     * ends once the import is in a terminal state (right after the snapshot
     * when that was already seen, or when the import finished longer ago
     * than the server keeps events: `[import] event_retention_hours`). Errors:
     * NOT_FOUND for an unknown import, OUT_OF_RANGE for an after_sequence past
     * the import's latest event, UNAVAILABLE when the server shuts down
     * (resume from the last sequence seen).
     * </pre>
     */
    public java.util.Iterator<org.fhirimport.v1.ImportEvent> watchImport(
        org.fhirimport.v1.WatchImportRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getWatchImportMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Returns one import.
     * </pre>
     */
    public org.fhirimport.v1.Import getImport(org.fhirimport.v1.GetImportRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetImportMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Lists a project's imports, newest first.
     * </pre>
     */
    public org.fhirimport.v1.ListImportsResponse listImports(org.fhirimport.v1.ListImportsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListImportsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Lists the items of an import in stream order, optionally by state.
     * </pre>
     */
    public org.fhirimport.v1.ListImportItemsResponse listImportItems(org.fhirimport.v1.ListImportItemsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListImportItemsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Cancels an import: items not yet processed are cancelled, files already
     * recorded stay, and a stream still sending is answered with the import in
     * state CANCELLED. The cancelled items are reported by one state-change
     * event and carry its sequence. Cancelling a finished import is
     * FAILED_PRECONDITION.
     * </pre>
     */
    public org.fhirimport.v1.Import cancelImport(org.fhirimport.v1.CancelImportRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCancelImportMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Scrapes the metadata of files already in the project again, from the
     * FHIR servers they were imported from, with each server's current
     * schema and fresh reads (no cached resources): after a schema change, a
     * fix on the FHIR server, or an outage that left metadata FAILED.
     * Starts one import of kind RESCRAPE per FHIR server among the selected
     * files and returns them at once; follow each with WatchImport. Its items
     * are the files (state IMPORTED, then SCRAPED or SCRAPE_FAILED); while it
     * runs their metadata state is PENDING, and their previous pairs stay
     * until new ones replace them. Pairs the portal supplied are never
     * touched. Files whose metadata is already PENDING (being scraped) are
     * left out and counted in `already_pending`.
     * Errors: INVALID_ARGUMENT for no selection, more than 10000 file ids, a
     * listed file or an import that named no FHIR server, or a PENDING or
     * NOT_REQUESTED metadata state; NOT_FOUND for a project, an
     * import or a listed file the caller cannot see; PERMISSION_DENIED for a
     * member who may only read.
     * </pre>
     */
    public org.fhirimport.v1.RescrapeFilesResponse rescrapeFiles(org.fhirimport.v1.RescrapeFilesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRescrapeFilesMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * Bulk import of FHIR R4 DocumentReferences into a project, and following
   * each import while it runs.
   * </pre>
   */
  public static final class ImportServiceFutureStub extends io.grpc.stub.AbstractFutureStub<ImportServiceFutureStub> {
    private ImportServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ImportServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ImportServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Returns one import.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.Import> getImport(
        org.fhirimport.v1.GetImportRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetImportMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Lists a project's imports, newest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.ListImportsResponse> listImports(
        org.fhirimport.v1.ListImportsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListImportsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Lists the items of an import in stream order, optionally by state.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.ListImportItemsResponse> listImportItems(
        org.fhirimport.v1.ListImportItemsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListImportItemsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Cancels an import: items not yet processed are cancelled, files already
     * recorded stay, and a stream still sending is answered with the import in
     * state CANCELLED. The cancelled items are reported by one state-change
     * event and carry its sequence. Cancelling a finished import is
     * FAILED_PRECONDITION.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.Import> cancelImport(
        org.fhirimport.v1.CancelImportRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCancelImportMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Scrapes the metadata of files already in the project again, from the
     * FHIR servers they were imported from, with each server's current
     * schema and fresh reads (no cached resources): after a schema change, a
     * fix on the FHIR server, or an outage that left metadata FAILED.
     * Starts one import of kind RESCRAPE per FHIR server among the selected
     * files and returns them at once; follow each with WatchImport. Its items
     * are the files (state IMPORTED, then SCRAPED or SCRAPE_FAILED); while it
     * runs their metadata state is PENDING, and their previous pairs stay
     * until new ones replace them. Pairs the portal supplied are never
     * touched. Files whose metadata is already PENDING (being scraped) are
     * left out and counted in `already_pending`.
     * Errors: INVALID_ARGUMENT for no selection, more than 10000 file ids, a
     * listed file or an import that named no FHIR server, or a PENDING or
     * NOT_REQUESTED metadata state; NOT_FOUND for a project, an
     * import or a listed file the caller cannot see; PERMISSION_DENIED for a
     * member who may only read.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.RescrapeFilesResponse> rescrapeFiles(
        org.fhirimport.v1.RescrapeFilesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRescrapeFilesMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_WATCH_IMPORT = 0;
  private static final int METHODID_GET_IMPORT = 1;
  private static final int METHODID_LIST_IMPORTS = 2;
  private static final int METHODID_LIST_IMPORT_ITEMS = 3;
  private static final int METHODID_CANCEL_IMPORT = 4;
  private static final int METHODID_RESCRAPE_FILES = 5;
  private static final int METHODID_IMPORT_DOCUMENTS = 6;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final ImportServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(ImportServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_WATCH_IMPORT:
          serviceImpl.watchImport((org.fhirimport.v1.WatchImportRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.ImportEvent>) responseObserver);
          break;
        case METHODID_GET_IMPORT:
          serviceImpl.getImport((org.fhirimport.v1.GetImportRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.Import>) responseObserver);
          break;
        case METHODID_LIST_IMPORTS:
          serviceImpl.listImports((org.fhirimport.v1.ListImportsRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.ListImportsResponse>) responseObserver);
          break;
        case METHODID_LIST_IMPORT_ITEMS:
          serviceImpl.listImportItems((org.fhirimport.v1.ListImportItemsRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.ListImportItemsResponse>) responseObserver);
          break;
        case METHODID_CANCEL_IMPORT:
          serviceImpl.cancelImport((org.fhirimport.v1.CancelImportRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.Import>) responseObserver);
          break;
        case METHODID_RESCRAPE_FILES:
          serviceImpl.rescrapeFiles((org.fhirimport.v1.RescrapeFilesRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.RescrapeFilesResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_IMPORT_DOCUMENTS:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.importDocuments(
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.ImportDocumentsResponse>) responseObserver);
        default:
          throw new AssertionError();
      }
    }
  }

  private static abstract class ImportServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    ImportServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return org.fhirimport.v1.ImportProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("ImportService");
    }
  }

  private static final class ImportServiceFileDescriptorSupplier
      extends ImportServiceBaseDescriptorSupplier {
    ImportServiceFileDescriptorSupplier() {}
  }

  private static final class ImportServiceMethodDescriptorSupplier
      extends ImportServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    ImportServiceMethodDescriptorSupplier(String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (ImportServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new ImportServiceFileDescriptorSupplier())
              .addMethod(getImportDocumentsMethod())
              .addMethod(getWatchImportMethod())
              .addMethod(getGetImportMethod())
              .addMethod(getListImportsMethod())
              .addMethod(getListImportItemsMethod())
              .addMethod(getCancelImportMethod())
              .addMethod(getRescrapeFilesMethod())
              .build();
        }
      }
    }
    return result;
  }
}
