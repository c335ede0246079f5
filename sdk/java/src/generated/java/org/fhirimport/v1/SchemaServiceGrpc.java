package org.fhirimport.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * Metadata schemas: how metadata is scraped for imported files from their
 * FHIR server (the format is described in `schemas/README.md`). The schemas
 * shipped with the service are always present and read-only; administrators
 * add versions at run time. A schema is identified by `name&#64;version`, and a
 * version never changes once it exists. Every method needs the `admin` scope.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: fhir_import/v1/schemas.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class SchemaServiceGrpc {

  private SchemaServiceGrpc() {}

  public static final String SERVICE_NAME = "fhir_import.v1.SchemaService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.PutSchemaRequest,
      org.fhirimport.v1.SchemaInfo> getPutSchemaMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "PutSchema",
      requestType = org.fhirimport.v1.PutSchemaRequest.class,
      responseType = org.fhirimport.v1.SchemaInfo.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.PutSchemaRequest,
      org.fhirimport.v1.SchemaInfo> getPutSchemaMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.PutSchemaRequest, org.fhirimport.v1.SchemaInfo> getPutSchemaMethod;
    if ((getPutSchemaMethod = SchemaServiceGrpc.getPutSchemaMethod) == null) {
      synchronized (SchemaServiceGrpc.class) {
        if ((getPutSchemaMethod = SchemaServiceGrpc.getPutSchemaMethod) == null) {
          SchemaServiceGrpc.getPutSchemaMethod = getPutSchemaMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.PutSchemaRequest, org.fhirimport.v1.SchemaInfo>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "PutSchema"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.PutSchemaRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.SchemaInfo.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaServiceMethodDescriptorSupplier("PutSchema"))
              .build();
        }
      }
    }
    return getPutSchemaMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.GetSchemaRequest,
      org.fhirimport.v1.SchemaInfo> getGetSchemaMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetSchema",
      requestType = org.fhirimport.v1.GetSchemaRequest.class,
      responseType = org.fhirimport.v1.SchemaInfo.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.GetSchemaRequest,
      org.fhirimport.v1.SchemaInfo> getGetSchemaMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.GetSchemaRequest, org.fhirimport.v1.SchemaInfo> getGetSchemaMethod;
    if ((getGetSchemaMethod = SchemaServiceGrpc.getGetSchemaMethod) == null) {
      synchronized (SchemaServiceGrpc.class) {
        if ((getGetSchemaMethod = SchemaServiceGrpc.getGetSchemaMethod) == null) {
          SchemaServiceGrpc.getGetSchemaMethod = getGetSchemaMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.GetSchemaRequest, org.fhirimport.v1.SchemaInfo>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetSchema"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.GetSchemaRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.SchemaInfo.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaServiceMethodDescriptorSupplier("GetSchema"))
              .build();
        }
      }
    }
    return getGetSchemaMethod;
  }

  private static volatile io.grpc.MethodDescriptor<org.fhirimport.v1.ListSchemasRequest,
      org.fhirimport.v1.ListSchemasResponse> getListSchemasMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListSchemas",
      requestType = org.fhirimport.v1.ListSchemasRequest.class,
      responseType = org.fhirimport.v1.ListSchemasResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<org.fhirimport.v1.ListSchemasRequest,
      org.fhirimport.v1.ListSchemasResponse> getListSchemasMethod() {
    io.grpc.MethodDescriptor<org.fhirimport.v1.ListSchemasRequest, org.fhirimport.v1.ListSchemasResponse> getListSchemasMethod;
    if ((getListSchemasMethod = SchemaServiceGrpc.getListSchemasMethod) == null) {
      synchronized (SchemaServiceGrpc.class) {
        if ((getListSchemasMethod = SchemaServiceGrpc.getListSchemasMethod) == null) {
          SchemaServiceGrpc.getListSchemasMethod = getListSchemasMethod =
              io.grpc.MethodDescriptor.<org.fhirimport.v1.ListSchemasRequest, org.fhirimport.v1.ListSchemasResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListSchemas"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.ListSchemasRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  org.fhirimport.v1.ListSchemasResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaServiceMethodDescriptorSupplier("ListSchemas"))
              .build();
        }
      }
    }
    return getListSchemasMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static SchemaServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SchemaServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SchemaServiceStub>() {
        @java.lang.Override
        public SchemaServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SchemaServiceStub(channel, callOptions);
        }
      };
    return SchemaServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static SchemaServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SchemaServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SchemaServiceBlockingStub>() {
        @java.lang.Override
        public SchemaServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SchemaServiceBlockingStub(channel, callOptions);
        }
      };
    return SchemaServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static SchemaServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SchemaServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SchemaServiceFutureStub>() {
        @java.lang.Override
        public SchemaServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SchemaServiceFutureStub(channel, callOptions);
        }
      };
    return SchemaServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * Metadata schemas: how metadata is scraped for imported files from their
   * FHIR server (the format is described in `schemas/README.md`). The schemas
   * shipped with the service are always present and read-only; administrators
   * add versions at run time. A schema is identified by `name&#64;version`, and a
   * version never changes once it exists. Every method needs the `admin` scope.
   * </pre>
   */
  public static abstract class SchemaServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * Adds a version of a schema from its document. The version must be above
     * every existing version of that name, shipped ones included. Fails with
     * INVALID_ARGUMENT when the document does not load (the message starts
     * with the path of what is wrong, e.g. `keys.case_id.expression: …`),
     * ALREADY_EXISTS when that name&#64;version exists already, and
     * FAILED_PRECONDITION when the version is below the latest one; both
     * messages name the latest version.
     * </pre>
     */
    public void putSchema(org.fhirimport.v1.PutSchemaRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.SchemaInfo> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getPutSchemaMethod(), responseObserver);
    }

    /**
     * <pre>
     * Returns one version of a schema, or its latest. An unknown name or
     * version answers NOT_FOUND.
     * </pre>
     */
    public void getSchema(org.fhirimport.v1.GetSchemaRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.SchemaInfo> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetSchemaMethod(), responseObserver);
    }

    /**
     * <pre>
     * Lists the latest version of every schema, or every version of one.
     * </pre>
     */
    public void listSchemas(org.fhirimport.v1.ListSchemasRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ListSchemasResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListSchemasMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getPutSchemaMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.PutSchemaRequest,
                org.fhirimport.v1.SchemaInfo>(
                  this, METHODID_PUT_SCHEMA)))
          .addMethod(
            getGetSchemaMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.GetSchemaRequest,
                org.fhirimport.v1.SchemaInfo>(
                  this, METHODID_GET_SCHEMA)))
          .addMethod(
            getListSchemasMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                org.fhirimport.v1.ListSchemasRequest,
                org.fhirimport.v1.ListSchemasResponse>(
                  this, METHODID_LIST_SCHEMAS)))
          .build();
    }
  }

  /**
   * <pre>
   * Metadata schemas: how metadata is scraped for imported files from their
   * FHIR server (the format is described in `schemas/README.md`). The schemas
   * shipped with the service are always present and read-only; administrators
   * add versions at run time. A schema is identified by `name&#64;version`, and a
   * version never changes once it exists. Every method needs the `admin` scope.
   * </pre>
   */
  public static final class SchemaServiceStub extends io.grpc.stub.AbstractAsyncStub<SchemaServiceStub> {
    private SchemaServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SchemaServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SchemaServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Adds a version of a schema from its document. The version must be above
     * every existing version of that name, shipped ones included. Fails with
     * INVALID_ARGUMENT when the document does not load (the message starts
     * with the path of what is wrong, e.g. `keys.case_id.expression: …`),
     * ALREADY_EXISTS when that name&#64;version exists already, and
     * FAILED_PRECONDITION when the version is below the latest one; both
     * messages name the latest version.
     * </pre>
     */
    public void putSchema(org.fhirimport.v1.PutSchemaRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.SchemaInfo> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getPutSchemaMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Returns one version of a schema, or its latest. An unknown name or
     * version answers NOT_FOUND.
     * </pre>
     */
    public void getSchema(org.fhirimport.v1.GetSchemaRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.SchemaInfo> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetSchemaMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Lists the latest version of every schema, or every version of one.
     * </pre>
     */
    public void listSchemas(org.fhirimport.v1.ListSchemasRequest request,
        io.grpc.stub.StreamObserver<org.fhirimport.v1.ListSchemasResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListSchemasMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * Metadata schemas: how metadata is scraped for imported files from their
   * FHIR server (the format is described in `schemas/README.md`). The schemas
   * shipped with the service are always present and read-only; administrators
   * add versions at run time. A schema is identified by `name&#64;version`, and a
   * version never changes once it exists. Every method needs the `admin` scope.
   * </pre>
   */
  public static final class SchemaServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<SchemaServiceBlockingStub> {
    private SchemaServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SchemaServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SchemaServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Adds a version of a schema from its document. The version must be above
     * every existing version of that name, shipped ones included. Fails with
     * INVALID_ARGUMENT when the document does not load (the message starts
     * with the path of what is wrong, e.g. `keys.case_id.expression: …`),
     * ALREADY_EXISTS when that name&#64;version exists already, and
     * FAILED_PRECONDITION when the version is below the latest one; both
     * messages name the latest version.
     * </pre>
     */
    public org.fhirimport.v1.SchemaInfo putSchema(org.fhirimport.v1.PutSchemaRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getPutSchemaMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Returns one version of a schema, or its latest. An unknown name or
     * version answers NOT_FOUND.
     * </pre>
     */
    public org.fhirimport.v1.SchemaInfo getSchema(org.fhirimport.v1.GetSchemaRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetSchemaMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Lists the latest version of every schema, or every version of one.
     * </pre>
     */
    public org.fhirimport.v1.ListSchemasResponse listSchemas(org.fhirimport.v1.ListSchemasRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListSchemasMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * Metadata schemas: how metadata is scraped for imported files from their
   * FHIR server (the format is described in `schemas/README.md`). The schemas
   * shipped with the service are always present and read-only; administrators
   * add versions at run time. A schema is identified by `name&#64;version`, and a
   * version never changes once it exists. Every method needs the `admin` scope.
   * </pre>
   */
  public static final class SchemaServiceFutureStub extends io.grpc.stub.AbstractFutureStub<SchemaServiceFutureStub> {
    private SchemaServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SchemaServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SchemaServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Adds a version of a schema from its document. The version must be above
     * every existing version of that name, shipped ones included. Fails with
     * INVALID_ARGUMENT when the document does not load (the message starts
     * with the path of what is wrong, e.g. `keys.case_id.expression: …`),
     * ALREADY_EXISTS when that name&#64;version exists already, and
     * FAILED_PRECONDITION when the version is below the latest one; both
     * messages name the latest version.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.SchemaInfo> putSchema(
        org.fhirimport.v1.PutSchemaRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getPutSchemaMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Returns one version of a schema, or its latest. An unknown name or
     * version answers NOT_FOUND.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.SchemaInfo> getSchema(
        org.fhirimport.v1.GetSchemaRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetSchemaMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Lists the latest version of every schema, or every version of one.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<org.fhirimport.v1.ListSchemasResponse> listSchemas(
        org.fhirimport.v1.ListSchemasRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListSchemasMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_PUT_SCHEMA = 0;
  private static final int METHODID_GET_SCHEMA = 1;
  private static final int METHODID_LIST_SCHEMAS = 2;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final SchemaServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(SchemaServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_PUT_SCHEMA:
          serviceImpl.putSchema((org.fhirimport.v1.PutSchemaRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.SchemaInfo>) responseObserver);
          break;
        case METHODID_GET_SCHEMA:
          serviceImpl.getSchema((org.fhirimport.v1.GetSchemaRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.SchemaInfo>) responseObserver);
          break;
        case METHODID_LIST_SCHEMAS:
          serviceImpl.listSchemas((org.fhirimport.v1.ListSchemasRequest) request,
              (io.grpc.stub.StreamObserver<org.fhirimport.v1.ListSchemasResponse>) responseObserver);
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

  private static abstract class SchemaServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    SchemaServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return org.fhirimport.v1.SchemasProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("SchemaService");
    }
  }

  private static final class SchemaServiceFileDescriptorSupplier
      extends SchemaServiceBaseDescriptorSupplier {
    SchemaServiceFileDescriptorSupplier() {}
  }

  private static final class SchemaServiceMethodDescriptorSupplier
      extends SchemaServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    SchemaServiceMethodDescriptorSupplier(String methodName) {
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
      synchronized (SchemaServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new SchemaServiceFileDescriptorSupplier())
              .addMethod(getPutSchemaMethod())
              .addMethod(getGetSchemaMethod())
              .addMethod(getListSchemasMethod())
              .build();
        }
      }
    }
    return result;
  }
}
