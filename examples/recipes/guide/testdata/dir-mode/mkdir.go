package cases

import "os"

func prepare(dir string) error {
	if err := os.MkdirAll(dir, 0777); err != nil { // want "dir-mode" "the policy is 0o750"
		return err
	}
	return os.MkdirAll(dir+"/tmp", 0o700)
}
