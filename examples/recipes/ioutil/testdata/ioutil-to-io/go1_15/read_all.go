package cases

import "io/ioutil"

// Go 1.15 has no io.ReadAll: the file stays as it is.
func body(r interface{ Read([]byte) (int, error) }) ([]byte, error) {
	return ioutil.ReadAll(r)
}
