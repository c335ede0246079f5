package fhirimport

// Typed errors: every failed call of a Client returns the error type of its
// status (a *NotFoundError, …), each holding the *StatusError with the
// code, the server's message and the details; a status without a type of
// its own (INTERNAL, …) is a bare *StatusError.
//
//	var notFound *fhirimport.NotFoundError
//	if errors.As(err, &notFound) { … notFound.Message … }
//	if errors.Is(err, fhirimport.ErrNotFound) { … }
//	var failed *fhirimport.StatusError // any status
//	if errors.As(err, &failed) { … failed.Code … }
//
// They also work with grpc's status.Code(err) and status.FromError(err).

import (
	"context"
	"errors"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// StatusError is a failed call: its status code, the server's message and
// the status details (google.rpc messages, as decoded by grpc's status
// package: a detail whose type is not linked into the program, such as
// errdetails.RetryInfo when nothing imports errdetails, is an error value
// in its place).
type StatusError struct {
	Code    codes.Code
	Message string
	Details []interface{}

	status *status.Status
	cause  error
}

func (e *StatusError) Error() string {
	if e.Message == "" {
		return "fhirimport: " + e.Code.String()
	}
	return "fhirimport: " + e.Code.String() + ": " + e.Message
}

// Unwrap is what made the call fail on this side, when something did: the
// error of a token source (UNAUTHENTICATED), say. Nil for the server's
// answers.
func (e *StatusError) Unwrap() error { return e.cause }

// GRPCStatus is the status, for grpc's status package.
func (e *StatusError) GRPCStatus() *status.Status { return e.status }

// Is matches the sentinel of the error's code (ErrNotFound, …).
func (e *StatusError) Is(target error) bool {
	code, ok := target.(sentinel)
	return ok && codes.Code(code) == e.Code
}

// As lets errors.As find the *StatusError inside every typed error.
func (e *StatusError) As(target interface{}) bool {
	if t, ok := target.(**StatusError); ok {
		*t = e
		return true
	}
	return false
}

// RetryDelay is how long the server asked the caller to wait before trying
// again (a google.rpc.RetryInfo detail, as RESOURCE_EXHAUSTED carries),
// when it did. It reads the detail itself, linked in or not.
func (e *StatusError) RetryDelay() (time.Duration, bool) {
	for _, detail := range e.status.Proto().GetDetails() {
		if detail.GetTypeUrl() == "type.googleapis.com/google.rpc.RetryInfo" {
			return retryDelay(detail.GetValue())
		}
	}
	return 0, false
}

// retryDelay reads RetryInfo's retry_delay (field 1, a Duration).
func retryDelay(info []byte) (time.Duration, bool) {
	for len(info) > 0 {
		number, kind, n := protowire.ConsumeTag(info)
		if n < 0 {
			return 0, false
		}
		info = info[n:]
		if number == 1 && kind == protowire.BytesType {
			value, n := protowire.ConsumeBytes(info)
			var delay durationpb.Duration
			if n < 0 || proto.Unmarshal(value, &delay) != nil {
				return 0, false
			}
			return delay.AsDuration(), true
		}
		n = protowire.ConsumeFieldValue(number, kind, info)
		if n < 0 {
			return 0, false
		}
		info = info[n:]
	}
	return 0, false
}

type sentinel codes.Code

func (s sentinel) Error() string { return "fhirimport: " + codes.Code(s).String() }

// Sentinels for errors.Is, one per status the API documents.
var (
	ErrUnauthenticated    error = sentinel(codes.Unauthenticated)
	ErrPermissionDenied   error = sentinel(codes.PermissionDenied)
	ErrNotFound           error = sentinel(codes.NotFound)
	ErrFailedPrecondition error = sentinel(codes.FailedPrecondition)
	ErrInvalidArgument    error = sentinel(codes.InvalidArgument)
	ErrAlreadyExists      error = sentinel(codes.AlreadyExists)
	ErrResourceExhausted  error = sentinel(codes.ResourceExhausted)
	ErrUnavailable        error = sentinel(codes.Unavailable)
	ErrDeadlineExceeded   error = sentinel(codes.DeadlineExceeded)
	ErrCanceled           error = sentinel(codes.Canceled)
	ErrOutOfRange         error = sentinel(codes.OutOfRange)
)

// UnauthenticatedError means the bearer token is missing, expired, revoked
// or not the server's, or the token source failed (Unwrap gives why).
type UnauthenticatedError struct{ *StatusError }

// PermissionDeniedError means the token is valid but lacks the scope or the
// project role.
type PermissionDeniedError struct{ *StatusError }

// NotFoundError means there is no such project, import, file, FHIR server
// or schema, or none the caller may see.
type NotFoundError struct{ *StatusError }

// FailedPreconditionError means the request is well formed but what it
// names is not in a state to allow it (cancelling a finished import, say).
type FailedPreconditionError struct{ *StatusError }

// InvalidArgumentError means the request itself is wrong; the message says
// which field and why.
type InvalidArgumentError struct{ *StatusError }

// AlreadyExistsError means what the call would create exists already.
type AlreadyExistsError struct{ *StatusError }

// ResourceExhaustedError means a quota or a cap on open streams was reached;
// RetryDelay says when to try again.
type ResourceExhaustedError struct{ *StatusError }

// UnavailableError means the server is draining, restarting or
// unreachable. Reads are sent again for you, and WatchImport reconnects.
type UnavailableError struct{ *StatusError }

// DeadlineExceededError means the call's deadline (its context's) passed.
type DeadlineExceededError struct{ *StatusError }

// CanceledError means the call's context was cancelled.
type CanceledError struct{ *StatusError }

// OutOfRangeError means a position past the end, such as a WatchImport
// after_sequence beyond the import's latest event.
type OutOfRangeError struct{ *StatusError }

// typed is the typed error of st; cause is what failed on this side, if
// anything did.
func typed(st *status.Status, cause error) error {
	e := &StatusError{Code: st.Code(), Message: st.Message(), Details: st.Details(), status: st, cause: cause}
	switch e.Code {
	case codes.Unauthenticated:
		return &UnauthenticatedError{e}
	case codes.PermissionDenied:
		return &PermissionDeniedError{e}
	case codes.NotFound:
		return &NotFoundError{e}
	case codes.FailedPrecondition:
		return &FailedPreconditionError{e}
	case codes.InvalidArgument:
		return &InvalidArgumentError{e}
	case codes.AlreadyExists:
		return &AlreadyExistsError{e}
	case codes.ResourceExhausted:
		return &ResourceExhaustedError{e}
	case codes.Unavailable:
		return &UnavailableError{e}
	case codes.DeadlineExceeded:
		return &DeadlineExceededError{e}
	case codes.Canceled:
		return &CanceledError{e}
	case codes.OutOfRange:
		return &OutOfRangeError{e}
	}
	return e
}

// asTyped is err as the typed error of its status; nil stays nil and a
// typed error stays as it is.
func asTyped(err error) error {
	if err == nil {
		return nil
	}
	var done *StatusError
	if errors.As(err, &done) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return contextError(err)
	}
	return typed(status.Convert(err), nil)
}

// contextError is the typed error of a context's end (CanceledError or
// DeadlineExceededError), wrapping it: errors.Is(err, context.Canceled)
// holds too.
func contextError(err error) error {
	code := codes.Canceled
	if errors.Is(err, context.DeadlineExceeded) {
		code = codes.DeadlineExceeded
	}
	return typed(status.New(code, err.Error()), err)
}
