package fhirimport

// The client: one connection, the generated client of every service on it,
// and the interceptors that make each call a platform call.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/proto"

	pb "github.com/fhir-import/fhir-import/sdk/go/fhirimportv1"
)

// The header the platform requires on every call, and its value.
const (
	AdvanceAccessHeader = "x-sbg-advance-access"
	AdvanceAccessValue  = "advance"
)

// Version is this SDK's version, sent in the user agent.
const Version = "0.1.0"

// Client holds one generated client per service, sharing one connection.
// Every call made through them carries the bearer token and the
// advance-access header, fails with the typed error of its status, and, for
// unary reads, is sent again after UNAVAILABLE. A Client is safe for
// concurrent use; Close it when done.
type Client struct {
	Imports     pb.ImportServiceClient
	Projects    pb.ProjectServiceClient
	Files       pb.FileServiceClient
	FhirServers pb.FhirServerServiceClient
	Schemas     pb.SchemaServiceClient

	conn *grpc.ClientConn
}

// RetryPolicy says how unary reads are sent again after UNAVAILABLE.
type RetryPolicy struct {
	// Attempts after the first; 0 turns retrying off.
	Retries int
	// Pause before the first retry, doubled each time up to 5 s.
	Backoff time.Duration
}

// DefaultRetry is the policy of a Client dialed without WithRetry.
var DefaultRetry = RetryPolicy{Retries: 3, Backoff: 100 * time.Millisecond}

func (p RetryPolicy) pause(attempt int) time.Duration {
	return doubling(p.Backoff, attempt)
}

// doubling is base·2^attempt, at most 5 s.
func doubling(base time.Duration, attempt int) time.Duration {
	const most = 5 * time.Second
	pause := base
	for i := 0; i < attempt && pause < most; i++ {
		pause *= 2
	}
	if pause > most || pause < 0 {
		return most
	}
	return pause
}

// Option configures Dial.
type Option func(*settings)

type settings struct {
	token       TokenSource
	retry       RetryPolicy
	tls         *tls.Config
	dialOptions []grpc.DialOption
}

// WithToken makes every call carry this bearer token.
func WithToken(token string) Option {
	return WithTokenSource(StaticToken(token))
}

// WithTokenSource makes every call carry the token the source gives at the
// time of the call (see Portal for a portal's and its users' tokens).
func WithTokenSource(source TokenSource) Option {
	return func(s *settings) { s.token = source }
}

// WithRetry replaces DefaultRetry; RetryPolicy{} turns retrying off.
func WithRetry(policy RetryPolicy) Option {
	return func(s *settings) { s.retry = policy }
}

// WithTLS connects over TLS with this configuration, whatever the target's
// scheme (an https:// target uses TLS with the system's roots anyway).
func WithTLS(config *tls.Config) Option {
	return func(s *settings) { s.tls = config }
}

// WithDialOptions adds gRPC dial options (keepalive, interceptors of your
// own, which run inside the SDK's, …).
func WithDialOptions(options ...grpc.DialOption) Option {
	return func(s *settings) { s.dialOptions = append(s.dialOptions, options...) }
}

// Dial connects to the server at target: "http://host:port" or "host:port"
// (plaintext, as the server listens by default) or "https://host[:port]"
// (TLS). It does not wait for the connection; the first call does, and the
// connection is made again by itself after it drops.
func Dial(target string, options ...Option) (*Client, error) {
	s := settings{retry: DefaultRetry}
	for _, option := range options {
		option(&s)
	}
	address, secure, err := parseTarget(target)
	if err != nil {
		return nil, err
	}
	transport := grpc.WithInsecure()
	if s.tls != nil {
		transport = grpc.WithTransportCredentials(credentials.NewTLS(s.tls))
	} else if secure {
		transport = grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12}))
	}
	auth := platformHeaders{source: s.token}
	dialOptions := []grpc.DialOption{
		transport,
		grpc.WithUserAgent("fhir-import-go/" + Version),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(codec{}), grpc.MaxCallRecvMsgSize(64<<20)),
		grpc.WithChainUnaryInterceptor(typedUnary, s.retry.unary, auth.unary),
		grpc.WithChainStreamInterceptor(typedStream, auth.stream),
		// Back soon after a restart: the first reconnect after 100 ms.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 10 * time.Second},
			MinConnectTimeout: 10 * time.Second,
		}),
	}
	conn, err := grpc.Dial(address, append(dialOptions, s.dialOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("fhirimport: dial %s: %w", target, err)
	}
	return &Client{
		Imports:     pb.NewImportServiceClient(conn),
		Projects:    pb.NewProjectServiceClient(conn),
		Files:       pb.NewFileServiceClient(conn),
		FhirServers: pb.NewFhirServerServiceClient(conn),
		Schemas:     pb.NewSchemaServiceClient(conn),
		conn:        conn,
	}, nil
}

// Conn is the client's connection.
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Close closes the connection; calls under way fail with Canceled.
func (c *Client) Close() error { return c.conn.Close() }

// parseTarget turns "http://h:p", "https://h" or "h:p" into a dial address
// and whether to use TLS.
func parseTarget(target string) (address string, secure bool, err error) {
	if target == "" {
		return "", false, errors.New("fhirimport: no server address (e.g. http://127.0.0.1:50051)")
	}
	if !strings.Contains(target, "://") {
		return target, false, nil
	}
	u, err := url.Parse(target)
	if err != nil {
		return "", false, fmt.Errorf("fhirimport: server address %q: %w", target, err)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Host == "" {
		return "", false, fmt.Errorf("fhirimport: server address %q: want scheme://host[:port] and nothing else", target)
	}
	var port string
	switch u.Scheme {
	case "http":
		port = "80"
	case "https":
		port, secure = "443", true
	default:
		return "", false, fmt.Errorf("fhirimport: server address %q: the scheme must be http or https", target)
	}
	if u.Port() != "" {
		port = u.Port()
	}
	return net.JoinHostPort(u.Hostname(), port), secure, nil
}

// codec marshals with google.golang.org/protobuf, whatever version of
// github.com/golang/protobuf grpc-go was built with (Debian pairs grpc-go
// 1.33 with golang/protobuf 1.3, whose codec cannot encode these messages'
// oneofs).
type codec struct{}

func (codec) Marshal(v interface{}) ([]byte, error) {
	message, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("fhirimport: cannot marshal %T: not a protobuf message", v)
	}
	return proto.Marshal(message)
}

func (codec) Unmarshal(data []byte, v interface{}) error {
	message, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("fhirimport: cannot unmarshal into %T: not a protobuf message", v)
	}
	return proto.Unmarshal(data, message)
}

func (codec) Name() string { return "proto" }

// CreateProject creates a project owned by the caller.
func (c *Client) CreateProject(ctx context.Context, name, description string) (*pb.Project, error) {
	return c.Projects.CreateProject(ctx, &pb.CreateProjectRequest{Name: name, Description: description})
}

// GetImport returns one import.
func (c *Client) GetImport(ctx context.Context, importID string) (*pb.Import, error) {
	return c.Imports.GetImport(ctx, &pb.GetImportRequest{ImportId: importID})
}

// GetFile returns one file, with the DocumentReference it came from.
func (c *Client) GetFile(ctx context.Context, fileID string) (*pb.File, error) {
	return c.Files.GetFile(ctx, &pb.GetFileRequest{Id: fileID})
}
