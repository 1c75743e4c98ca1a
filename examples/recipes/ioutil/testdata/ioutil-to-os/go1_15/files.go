package cases

import "io/ioutil"

func load() ([]byte, error) {
	return ioutil.ReadFile("config.json")
}
