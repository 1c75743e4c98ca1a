package cases

import "os"

func shared(dir string) error {
	// The spool is shared with the mail daemon, which runs as another user.
	return os.MkdirAll(dir, 0777) // want "dir-mode" "a comment gives a reason for this mode"
}
