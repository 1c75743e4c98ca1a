package cases

import "io/ioutil"

// The only import becomes io.
func body(r interface{ Read([]byte) (int, error) }) ([]byte, error) {
	return ioutil.ReadAll(r) // want "ioutil-to-io"
}
