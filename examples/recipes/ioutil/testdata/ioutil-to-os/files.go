package cases

import (
	"bytes"
	"io/ioutil"
)

func upper(in, out string) error {
	data, err := ioutil.ReadFile(in) // want "ioutil-to-os"
	if err != nil {
		return err
	}
	return ioutil.WriteFile(out, bytes.ToUpper(data), 0o644) // want "ioutil-to-os"
}
