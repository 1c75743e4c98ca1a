package cases

import (
	"io/ioutil"
	"strings"
)

// A parameter named io: the new call would not reach the package.
func copyAll(io *strings.Builder, r *strings.Reader) error {
	data, err := ioutil.ReadAll(r) // want "ioutil-to-io" "not rewritten: `io` names something else here"
	io.Write(data)
	return err
}
