package cases

import (
	"io/ioutil"
	"os"
)

func scratch() (string, *os.File, error) {
	dir, err := ioutil.TempDir("", "build") // want "ioutil-temp"
	if err != nil {
		return "", nil, err
	}
	f, err := ioutil.TempFile(dir, "log-*.txt") // want "ioutil-temp"
	return dir, f, err
}
