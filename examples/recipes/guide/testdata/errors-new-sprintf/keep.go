package cases

import (
	"errors"
	"fmt"
)

var errClosed = errors.New("closed")

// %w in Sprintf only prints the error; Errorf would wrap it.
func closedAt(at string) error {
	return errors.New(fmt.Sprintf("%w at %s", errClosed, at))
}

// A format that is not a literal could hold %w.
func custom(format string, n int) error {
	return errors.New(fmt.Sprintf(format, n))
}
