package cases

import (
	"fmt"
	iu "io/ioutil"
	"strings"
)

// The package is found by its import path, whatever its local name.
func drain(s string) error {
	rc := iu.NopCloser(strings.NewReader(s)) // want "ioutil-to-io"
	_, err := fmt.Fprint(iu.Discard, rc)     // want "ioutil-to-io"
	return err
}
