package cases

import "os"

// Modes other than 0777 were chosen by someone: left alone.
func private(dir string) error {
	return os.MkdirAll(dir, 0o700)
}
