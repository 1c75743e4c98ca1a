package cases

import (
	"io/ioutil"
	"os"
)

// ioutil stays imported while ReadDir still needs it.
func sizes(f *os.File) (int, int, error) {
	data, err := ioutil.ReadAll(f) // want "ioutil-to-io"
	if err != nil {
		return 0, 0, err
	}
	entries, err := ioutil.ReadDir(".")
	return len(data), len(entries), err
}
