package bench

import "fmt"

// InputError is bad input found before anything ran: an unknown name, a bad
// parameter or option, an unreachable server. The CLI exits 2 on it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// inputf returns an *InputError.
func inputf(format string, args ...any) error {
	return &InputError{fmt.Errorf(format, args...)}
}

// input wraps err as an *InputError (nil stays nil).
func input(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{err}
}
