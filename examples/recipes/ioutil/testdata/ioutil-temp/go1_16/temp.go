package cases

import "io/ioutil"

// In Go 1.16 TempDir does not forward to os.MkdirTemp yet: left alone.
func scratch() (string, error) {
	return ioutil.TempDir("", "build")
}
