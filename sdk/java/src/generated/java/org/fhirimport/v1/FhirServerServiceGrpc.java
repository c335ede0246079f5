package org.fhirimport.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * The FHIR servers documents come from. Metadata is scraped only from a
 * registered server, and an import's header names one by its id. The
 * service reads a server with its own credentials for it, so only the
 * projects an admin allows (`allowed_projects`, none by default) may name
 * it; any other gets PERMISSION_DENIED naming the server. Platform
 * administration: every method needs the `admin` scope.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: fhir_import/v1/fhir_servers.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class FhirServerServiceGrpc {

  private FhirServerServiceGrpc() {}

  public static final String SERVICE_NAME = "fhir_import.v1.FhirServerService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.RegisterFhirServerRequest,
      org.fhirimport.v1.FhirServer> getRegisterFhirServerMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RegisterFhirServer",
      requestType = org.fhirimport.v1.RegisterFhirServerRequest.class,
      responseType = org.fhirimport.v1.FhirServer.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.RegisterFhirServerRequest,
      org.fhirimport.v1.FhirServer> getRegisterFhirServerMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.RegisterFhirServerRequest, org.fhirimport.v1.FhirServer> getRegisterFhirServerMethod;
    if ((getRegisterFhirServerMethod = FhirServerServiceGrpc.getRegisterFhirServerMethod) == null) {
      synchronized (FhirServerServiceGrpc.class) {
        if ((getRegisterFhirServerMethod = FhirServerServiceGrpc.getRegisterFhirServerMethod) == null) {
          FhirServerServiceGrpc.getRegisterFhirServerMethod = getRegisterFhirServerMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.RegisterFhirServerRequest, org.fhirimport.v1.FhirServer>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RegisterFhirServer"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.RegisterFhirServerRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.FhirServer.getDefaultInstance()))
              .setSchemaDescriptor(new FhirServerServiceMethodDescriptorSupplier("RegisterFhirServer"))
              .build();
        }
      }
    }
    return getRegisterFhirServerMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.GetFhirServerRequest,
      org.fhirimport.v1.FhirServer> getGetFhirServerMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetFhirServer",
      requestType = org.fhirimport.v1.GetFhirServerRequest.class,
      responseType = org.fhirimport.v1.FhirServer.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.GetFhirServerRequest,
      org.fhirimport.v1.FhirServer> getGetFhirServerMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.GetFhirServerRequest, org.fhirimport.v1.FhirServer> getGetFhirServerMethod;
    if ((getGetFhirServerMethod = FhirServerServiceGrpc.getGetFhirServerMethod) == null) {
      synchronized (FhirServerServiceGrpc.class) {
        if ((getGetFhirServerMethod = FhirServerServiceGrpc.getGetFhirServerMethod) == null) {
          FhirServerServiceGrpc.getGetFhirServerMethod = getGetFhirServerMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.GetFhirServerRequest, org.fhirimport.v1.FhirServer>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetFhirServer"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.GetFhirServerRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.FhirServer.getDefaultInstance()))
              .setSchemaDescriptor(new FhirServerServiceMethodDescriptorSupplier("GetFhirServer"))
              .build();
        }
      }
    }
    return getGetFhirServerMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.ListFhirServersRequest,
      org.fhirimport.v1.ListFhirServersResponse> getListFhirServersMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListFhirServers",
      requestType = org.fhirimport.v1.ListFhirServersRequest.class,
      responseType = org.fhirimport.v1.ListFhirServersResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.ListFhirServersRequest,
      org.fhirimport.v1.ListFhirServersResponse> getListFhirServersMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.ListFhirServersRequest, org.fhirimport.v1.ListFhirServersResponse> getListFhirServersMethod;
    if ((getListFhirServersMethod = FhirServerServiceGrpc.getListFhirServersMethod) == null) {
      synchronized (FhirServerServiceGrpc.class) {
        if ((getListFhirServersMethod = FhirServerServiceGrpc.getListFhirServersMethod) == null) {
          FhirServerServiceGrpc.getListFhirServersMethod = getListFhirServersMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.ListFhirServersRequest, org.fhirimport.v1.ListFhirServersResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListFhirServers"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.ListFhirServersRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.ListFhirServersResponse.getDefaultInstance()))
              .setSchemaDescriptor(new FhirServerServiceMethodDescriptorSupplier("ListFhirServers"))
              .build();
        }
      }
    }
    return getListFhirServersMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.UpdateFhirServerRequest,
      org.fhirimport.v1.FhirServer> getUpdateFhirServerMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpdateFhirServer",
      requestType = org.fhirimport.v1.UpdateFhirServerRequest.class,
      responseType = org.fhirimport.v1.FhirServer.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.UpdateFhirServerRequest,
      org.fhirimport.v1.FhirServer> getUpdateFhirServerMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.UpdateFhirServerRequest, org.fhirimport.v1.FhirServer> getUpdateFhirServerMethod;
    if ((getUpdateFhirServerMethod = FhirServerServiceGrpc.getUpdateFhirServerMethod) == null) {
      synchronized (FhirServerServiceGrpc.class) {
        if ((getUpdateFhirServerMethod = FhirServerServiceGrpc.getUpdateFhirServerMethod) == null) {
          FhirServerServiceGrpc.getUpdateFhirServerMethod = getUpdateFhirServerMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.UpdateFhirServerRequest, org.fhirimport.v1.FhirServer>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpdateFhirServer"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.UpdateFhirServerRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.FhirServer.getDefaultInstance()))
              .setSchemaDescriptor(new FhirServerServiceMethodDescriptorSupplier("UpdateFhirServer"))
              .build();
        }
      }
    }
    return getUpdateFhirServerMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.RemoveFhirServerRequest,
      org.fhirimport.v1.RemoveFhirServerResponse> getRemoveFhirServerMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RemoveFhirServer",
      requestType = org.fhirimport.v1.RemoveFhirServerRequest.class,
      responseType = org.fhirimport.v1.RemoveFhirServerResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.RemoveFhirServerRequest,
      org.fhirimport.v1.RemoveFhirServerResponse> getRemoveFhirServerMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.RemoveFhirServerRequest, org.fhirimport.v1.RemoveFhirServerResponse> getRemoveFhirServerMethod;
    if ((getRemoveFhirServerMethod = FhirServerServiceGrpc.getRemoveFhirServerMethod) == null) {
      synchronized (FhirServerServiceGrpc.class) {
        if ((getRemoveFhirServerMethod = FhirServerServiceGrpc.getRemoveFhirServerMethod) == null) {
          FhirServerServiceGrpc.getRemoveFhirServerMethod = getRemoveFhirServerMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.RemoveFhirServerRequest, org.fhirimport.v1.RemoveFhirServerResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RemoveFhirServer"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.RemoveFhirServerRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.RemoveFhirServerResponse.getDefaultInstance()))
              .setSchemaDescriptor(new FhirServerServiceMethodDescriptorSupplier("RemoveFhirServer"))
              .build();
        }
      }
    }
    return getRemoveFhirServerMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.PreviewScrapeRequest,
      org.fhirimport.v1.PreviewScrapeResponse> getPreviewScrapeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "PreviewScrape",
      requestType = org.fhirimport.v1.PreviewScrapeRequest.class,
      responseType = org.fhirimport.v1.PreviewScrapeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.PreviewScrapeRequest,
      org.fhirimport.v1.PreviewScrapeResponse> getPreviewScrapeMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.PreviewScrapeRequest, org.fhirimport.v1.PreviewScrapeResponse> getPreviewScrapeMethod;
    if ((getPreviewScrapeMethod = FhirServerServiceGrpc.getPreviewScrapeMethod) == null) {
      synchronized (FhirServerServiceGrpc.class) {
        if ((getPreviewScrapeMethod = FhirServerServiceGrpc.getPreviewScrapeMethod) == null) {
          FhirServerServiceGrpc.getPreviewScrapeMethod = getPreviewScrapeMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.PreviewScrapeRequest, org.fhirimport.v1.PreviewScrapeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "PreviewScrape"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.PreviewScrapeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.PreviewScrapeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new FhirServerServiceMethodDescriptorSupplier("PreviewScrape"))
              .build();
        }
      }
    }
    return getPreviewScrapeMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static FhirServerServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<FhirServerServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<FhirServerServiceStub>() {
        @java.lang.Override
        public FhirServerServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new FhirServerServiceStub(channel, callOptions);
        }
      };
    return FhirServerServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static FhirServerServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<FhirServerServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<FhirServerServiceBlockingStub>() {
        @java.lang.Override
        public FhirServerServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new FhirServerServiceBlockingStub(channel, callOptions);
        }
      };
    return FhirServerServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static FhirServerServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<FhirServerServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<FhirServerServiceFutureStub>() {
        @java.lang.Override
        public FhirServerServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new FhirServerServiceFutureStub(channel, callOptions);
        }
      };
    return FhirServerServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * The FHIR servers documents come from. Metadata is scraped only from a
   * registered server, and an import's header names one by its id. The
   * service reads a server with its own credentials for it, so only the
   * projects an admin allows (`allowed_projects`, none by default) may name
   * it; any other gets PERMISSION_DENIED naming the server. Platform
   * administration: every method needs the `admin` scope.
   * </pre>
   */
  public static abstract class FhirServerServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * Registers a server. Its CapabilityStatement (`[base]/metadata`) is read
     * at once to choose the schema, unless one is pinned; a server that cannot
     * be reached is registered anyway, with the reason in
     * `capability_error`, and read again later. Fails with ALREADY_EXISTS
     * when the id is taken.
     * </pre>
     */
    public void registerFhirServer(org.fhirimport.v1.RegisterFhirServerRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.FhirServer> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRegisterFhirServerMethod(), responseObserver);
    }

    /**
     * <pre>
     * Returns one server; NOT_FOUND when no server has that id.
     * </pre>
     */
    public void getFhirServer(org.fhirimport.v1.GetFhirServerRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.FhirServer> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetFhirServerMethod(), responseObserver);
    }

    /**
     * <pre>
     * Lists every registered server, ordered by id.
     * </pre>
     */
    public void listFhirServers(org.fhirimport.v1.ListFhirServersRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ListFhirServersResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListFhirServersMethod(), responseObserver);
    }

    /**
     * <pre>
     * Changes a server's settings; fields left unset keep their values. The
     * CapabilityStatement is read again.
     * </pre>
     */
    public void updateFhirServer(org.fhirimport.v1.UpdateFhirServerRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.FhirServer> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpdateFhirServerMethod(), responseObserver);
    }

    /**
     * <pre>
     * Removes a server. Files already imported keep their metadata.
     * </pre>
     */
    public void removeFhirServer(org.fhirimport.v1.RemoveFhirServerRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.RemoveFhirServerResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRemoveFhirServerMethod(), responseObserver);
    }

    /**
     * <pre>
     * Scrapes one DocumentReference as an import would, without importing
     * anything: the key-value pairs, what went wrong per key, and every
     * resource read. For trying a schema on a server's data.
     * </pre>
     */
    public void previewScrape(org.fhirimport.v1.PreviewScrapeRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.PreviewScrapeResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getPreviewScrapeMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getRegisterFhirServerMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.RegisterFhirServerRequest,
                org.fhirimport.v1.FhirServer>(
                  this, METHODID_REGISTER_FHIR_SERVER)))
          .addMethod(
            getGetFhirServerMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.GetFhirServerRequest,
                org.fhirimport.v1.FhirServer>(
                  this, METHODID_GET_FHIR_SERVER)))
          .addMethod(
            getListFhirServersMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.ListFhirServersRequest,
                org.fhirimport.v1.ListFhirServersResponse>(
                  this, METHODID_LIST_FHIR_SERVERS)))
          .addMethod(
            getUpdateFhirServerMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.UpdateFhirServerRequest,
                org.fhirimport.v1.FhirServer>(
                  this, METHODID_UPDATE_FHIR_SERVER)))
          .addMethod(
            getRemoveFhirServerMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.RemoveFhirServerRequest,
                org.fhirimport.v1.RemoveFhirServerResponse>(
                  this, METHODID_REMOVE_FHIR_SERVER)))
          .addMethod(
            getPreviewScrapeMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.PreviewScrapeRequest,
                org.fhirimport.v1.PreviewScrapeResponse>(
                  this, METHODID_PREVIEW_SCRAPE)))
          .build();
    }
  }

  /**
   * <pre>
   * The FHIR servers documents come from. Metadata is scraped only from a
   * registered server, and an import's header names one by its id. The
   * service reads a server with its own credentials for it, so only the
   * projects an admin allows (`allowed_projects`, none by default) may name
   * it; any other gets PERMISSION_DENIED naming the server. Platform
   * administration: every method needs the `admin` scope.
   * </pre>
   */
  public static final class FhirServerServiceStub extends io.grpc.stub.AbstractAsyncStub<FhirServerServiceStub> {
    private FhirServerServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected FhirServerServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new FhirServerServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Registers a server. Its CapabilityStatement (`[base]/metadata`) is read
     * at once to choose the schema, unless one is pinned; a server that cannot
     * be reached is registered anyway, with the reason in
     * `capability_error`, and read again later. Fails with ALREADY_EXISTS
     * when the id is taken.
     * </pre>
     */
    public void registerFhirServer(org.fhirimport.v1.RegisterFhirServerRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.FhirServer> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRegisterFhirServerMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Returns one server; NOT_FOUND when no server has that id.
     * </pre>
     */
    public void getFhirServer(org.fhirimport.v1.GetFhirServerRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.FhirServer> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetFhirServerMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Lists every registered server, ordered by id.
     * </pre>
     */
    public void listFhirServers(org.fhirimport.v1.ListFhirServersRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ListFhirServersResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListFhirServersMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Changes a server's settings; fields left unset keep their values. The
     * CapabilityStatement is read again.
     * </pre>
     */
    public void updateFhirServer(org.fhirimport.v1.UpdateFhirServerRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.FhirServer> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpdateFhirServerMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Removes a server. Files already imported keep their metadata.
     * </pre>
     */
    public void removeFhirServer(org.fhirimport.v1.RemoveFhirServerRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.RemoveFhirServerResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRemoveFhirServerMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Scrapes one DocumentReference as an import would, without importing
     * anything: the key-value pairs, what went wrong per key, and every
     * resource read. For trying a schema on a server's data.
     * </pre>
     */
    public void previewScrape(org.fhirimport.v1.PreviewScrapeRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.PreviewScrapeResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getPreviewScrapeMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * The FHIR servers documents come from. Metadata is scraped only from a
   * registered server, and an import's header names one by its id. The
   * service reads a server with its own credentials for it, so only the
   * projects an admin allows (`allowed_projects`, none by default) may name
   * it; any other gets PERMISSION_DENIED naming the server. Platform
   * administration: every method needs the `admin` scope.
   * </pre>
   */
  public static final class FhirServerServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<FhirServerServiceBlockingStub> {
    private FhirServerServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected FhirServerServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new FhirServerServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Registers a server. Its CapabilityStatement (`[base]/metadata`) is read
     * at once to choose the schema, unless one is pinned; a server that cannot
     * be reached is registered anyway, with the reason in
     * `capability_error`, and read again later. Fails with ALREADY_EXISTS
     * when the id is taken.
     * </pre>
     */
    public org.fhirimport.v1.FhirServer registerFhirServer(org.fhirimport.v1.RegisterFhirServerRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRegisterFhirServerMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Returns one server; NOT_FOUND when no server has that id.
     * </pre>
     */
    public org.fhirimport.v1.FhirServer getFhirServer(org.fhirimport.v1.GetFhirServerRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetFhirServerMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Lists every registered server, ordered by id.
     * </pre>
     */
    public org.fhirimport.v1.ListFhirServersResponse listFhirServers(org.fhirimport.v1.ListFhirServersRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListFhirServersMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Changes a server's settings; fields left unset keep their values. The
     * CapabilityStatement is read again.
     * </pre>
     */
    public org.fhirimport.v1.FhirServer updateFhirServer(org.fhirimport.v1.UpdateFhirServerRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpdateFhirServerMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Removes a server. Files already imported keep their metadata.
     * </pre>
     */
    public org.fhirimport.v1.RemoveFhirServerResponse removeFhirServer(org.fhirimport.v1.RemoveFhirServerRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRemoveFhirServerMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Scrapes one DocumentReference as an import would, without importing
     * anything: the key-value pairs, what went wrong per key, and every
     * resource read. For trying a schema on a server's data.
     * </pre>
     */
    public org.fhirimport.v1.PreviewScrapeResponse previewScrape(org.fhirimport.v1.PreviewScrapeRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getPreviewScrapeMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * The FHIR servers documents come from. Metadata is scraped only from a
   * registered server, and an import's header names one by its id. The
   * service reads a server with its own credentials for it, so only the
   * projects an admin allows (`allowed_projects`, none by default) may name
   * it; any other gets PERMISSION_DENIED naming the server. Platform
   * administration: every method needs the `admin` scope.
   * </pre>
   */
  public static final class FhirServerServiceFutureStub extends io.grpc.stub.AbstractFutureStub<FhirServerServiceFutureStub> {
    private FhirServerServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected FhirServerServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new FhirServerServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Registers a server. Its CapabilityStatement (`[base]/metadata`) is read
     * at once to choose the schema, unless one is pinned; a server that cannot
     * be reached is registered anyway, with the reason in
     * `capability_error`, and read again later. Fails with ALREADY_EXISTS
     * when the id is taken.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.FhirServer> registerFhirServer(
        org.fhirimport.v1.RegisterFhirServerRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRegisterFhirServerMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Returns one server; NOT_FOUND when no server has that id.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.FhirServer> getFhirServer(
        org.fhirimport.v1.GetFhirServerRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetFhirServerMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Lists every registered server, ordered by id.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.ListFhirServersResponse> listFhirServers(
        org.fhirimport.v1.ListFhirServersRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListFhirServersMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Changes a server's settings; fields left unset keep their values. The
     * CapabilityStatement is read again.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.FhirServer> updateFhirServer(
        org.fhirimport.v1.UpdateFhirServerRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpdateFhirServerMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Removes a server. Files already imported keep their metadata.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.RemoveFhirServerResponse> removeFhirServer(
        org.fhirimport.v1.RemoveFhirServerRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRemoveFhirServerMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Scrapes one DocumentReference as an import would, without importing
     * anything: the key-value pairs, what went wrong per key, and every
     * resource read. For trying a schema on a server's data.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.PreviewScrapeResponse> previewScrape(
        org.fhirimport.v1.PreviewScrapeRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getPreviewScrapeMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_REGISTER_FHIR_SERVER = 0;
  private static final int METHODID_GET_FHIR_SERVER = 1;
  private static final int METHODID_LIST_FHIR_SERVERS = 2;
  private static final int METHODID_UPDATE_FHIR_SERVER = 3;
  private static final int METHODID_REMOVE_FHIR_SERVER = 4;
  private static final int METHODID_PREVIEW_SCRAPE = 5;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final FhirServerServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(FhirServerServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_REGISTER_FHIR_SERVER:
          serviceImpl.registerFhirServer((org.fhirimport.v1.RegisterFhirServerRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.FhirServer>) responseObserver);
          break;
        case METHODID_GET_FHIR_SERVER:
          serviceImpl.getFhirServer((org.fhirimport.v1.GetFhirServerRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.FhirServer>) responseObserver);
          break;
        case METHODID_LIST_FHIR_SERVERS:
          serviceImpl.listFhirServers((org.fhirimport.v1.ListFhirServersRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.ListFhirServersResponse>) responseObserver);
          break;
        case METHODID_UPDATE_FHIR_SERVER:
          serviceImpl.updateFhirServer((org.fhirimport.v1.UpdateFhirServerRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.FhirServer>) responseObserver);
          break;
        case METHODID_REMOVE_FHIR_SERVER:
          serviceImpl.removeFhirServer((org.fhirimport.v1.RemoveFhirServerRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.RemoveFhirServerResponse>) responseObserver);
          break;
        case METHODID_PREVIEW_SCRAPE:
          serviceImpl.previewScrape((org.fhirimport.v1.PreviewScrapeRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.PreviewScrapeResponse>) responseObserver);
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
        default:
          throw new AssertionError();
      }
    }
  }

  private static abstract class FhirServerServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    FhirServerServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return org.fhirimport.v1.FhirServersProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("FhirServerService");
    }
  }

  private static final class FhirServerServiceFileDescriptorSupplier
      extends FhirServerServiceBaseDescriptorSupplier {
    FhirServerServiceFileDescriptorSupplier() {}
  }

  private static final class FhirServerServiceMethodDescriptorSupplier
      extends FhirServerServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    FhirServerServiceMethodDescriptorSupplier(String methodName) {
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
      synchronized (FhirServerServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new FhirServerServiceFileDescriptorSupplier())
              .addMethod(getRegisterFhirServerMethod())
              .addMethod(getGetFhirServerMethod())
              .addMethod(getListFhirServersMethod())
              .addMethod(getUpdateFhirServerMethod())
              .addMethod(getRemoveFhirServerMethod())
              .addMethod(getPreviewScrapeMethod())
              .build();
        }
      }
    }
    return result;
  }
}
