package cases

type store struct{}

func (store) ReadFile(name string) ([]byte, error) { return nil, nil }

// A method of the same name on a value called ioutil is not the package.
func load() ([]byte, error) {
	var ioutil store
	return ioutil.ReadFile("config.json")
}
