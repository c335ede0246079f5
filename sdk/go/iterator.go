package fhirimport

// Iterators over what comes in pieces: pages of a list, events of a watch.

import (
	"context"
	"io"
)

// Iterator yields values one at a time, fetching more as needed:
//
//	for it.Next() {
//		use(it.Value())
//	}
//	if err := it.Err(); err != nil { … }
//
// Close it when stopping early (it is closed by itself at the end). An
// Iterator is for one goroutine.
type Iterator[T any] struct {
	next  func() (T, error)
	stop  func()
	value T
	err   error
	done  bool
}

func newIterator[T any](next func() (T, error), stop func()) *Iterator[T] {
	if stop == nil {
		stop = func() {}
	}
	return &Iterator[T]{next: next, stop: stop}
}

// Next fetches the next value; false at the end or on an error (see Err).
func (it *Iterator[T]) Next() bool {
	if it.done {
		return false
	}
	value, err := it.next()
	if err != nil {
		if err != io.EOF {
			it.err = err
		}
		it.Close()
		return false
	}
	it.value = value
	return true
}

// Value is the value the last successful Next fetched.
func (it *Iterator[T]) Value() T { return it.value }

// Err is the error that ended the iteration; nil at its normal end.
func (it *Iterator[T]) Err() error { return it.err }

// Close stops the iteration and frees what it holds (a watch's stream).
func (it *Iterator[T]) Close() {
	if !it.done {
		it.done = true
		it.stop()
	}
}

// All is every value left, or the error that ended the iteration.
func (it *Iterator[T]) All() ([]T, error) {
	var values []T
	for it.Next() {
		values = append(values, it.Value())
	}
	return values, it.Err()
}

// paged iterates the items of every page: fetch gets the page at a token,
// and the token of the next page ("" after the last).
func paged[T any](ctx context.Context, fetch func(ctx context.Context, pageToken string) ([]T, string, error)) *Iterator[T] {
	var (
		page  []T
		token string
		last  bool
	)
	return newIterator(func() (T, error) {
		for len(page) == 0 {
			var zero T
			if last {
				return zero, io.EOF
			}
			items, next, err := fetch(ctx, token)
			if err != nil {
				return zero, err
			}
			page, token, last = items, next, next == ""
		}
		value := page[0]
		page = page[1:]
		return value, nil
	}, nil)
}
