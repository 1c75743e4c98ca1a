package cases

import "io/ioutil"

// Other ioutil functions belong to other recipes.
func names() ([]string, error) {
	entries, err := ioutil.ReadDir(".")
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out, err
}
