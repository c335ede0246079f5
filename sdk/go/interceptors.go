package fhirimport

// The interceptors every call of a Client goes through, outermost first:
// typed errors, retries of unary reads, the platform's headers.

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// platformHeaders adds the bearer token and the advance-access header.
type platformHeaders struct {
	source TokenSource
}

// outgoing is ctx with the headers, or the typed error of a token source
// that failed (UNAUTHENTICATED, carrying its cause).
func (h platformHeaders) outgoing(ctx context.Context) (context.Context, error) {
	pairs := []string{AdvanceAccessHeader, AdvanceAccessValue}
	if h.source != nil {
		token, err := h.source.Token(ctx)
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil, contextError(ctx.Err())
			}
			return nil, typed(status.New(codes.Unauthenticated, "no access token: "+err.Error()), err)
		}
		pairs = append(pairs, "authorization", "Bearer "+token)
	}
	return metadata.AppendToOutgoingContext(ctx, pairs...), nil
}

func (h platformHeaders) unary(ctx context.Context, method string, req, reply interface{}, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	ctx, err := h.outgoing(ctx)
	if err != nil {
		return err
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

func (h platformHeaders) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	ctx, err := h.outgoing(ctx)
	if err != nil {
		return nil, err
	}
	return streamer(ctx, desc, cc, method, opts...)
}

// isRead: "/fhir_import.v1.ImportService/GetImport" is a read, safe to send
// again whatever happened to the first attempt; a call that changes
// something is not.
func isRead(method string) bool {
	name := method[strings.LastIndex(method, "/")+1:]
	return strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List") || strings.HasPrefix(name, "Preview")
}

// unary sends a read again after UNAVAILABLE (a draining or restarting
// server, a dropped connection), with backoff, until the policy's retries
// or the context run out.
func (p RetryPolicy) unary(ctx context.Context, method string, req, reply interface{}, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if p.Retries <= 0 || !isRead(method) {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	for attempt := 0; ; attempt++ {
		err := invoker(ctx, method, req, reply, cc, opts...)
		if err == nil || status.Code(err) != codes.Unavailable || attempt >= p.Retries {
			return err
		}
		if !sleep(ctx, p.pause(attempt)) {
			return err
		}
	}
}

// sleep waits d, or less when ctx ends first (then false).
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func typedUnary(ctx context.Context, method string, req, reply interface{}, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return asTyped(invoker(ctx, method, req, reply, cc, opts...))
}

func typedStream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	stream, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		return nil, asTyped(err)
	}
	return typedClientStream{stream}, nil
}

// typedClientStream turns the errors of a stream into typed errors; io.EOF
// (the end of the stream) stays io.EOF.
type typedClientStream struct {
	grpc.ClientStream
}

func (s typedClientStream) SendMsg(m interface{}) error {
	err := s.ClientStream.SendMsg(m)
	if err == io.EOF {
		return err
	}
	return asTyped(err)
}

func (s typedClientStream) RecvMsg(m interface{}) error {
	err := s.ClientStream.RecvMsg(m)
	if err == io.EOF {
		return err
	}
	return asTyped(err)
}
