package cases

import "io/ioutil"

func largest(dir string) (string, error) {
	entries, err := ioutil.ReadDir(dir) // want "ioutil-readdir" "returns []fs.DirEntry"
	if err != nil {
		return "", err
	}
	name, size := "", int64(-1)
	for _, e := range entries {
		if e.Size() > size {
			name, size = e.Name(), e.Size()
		}
	}
	return name, nil
}
