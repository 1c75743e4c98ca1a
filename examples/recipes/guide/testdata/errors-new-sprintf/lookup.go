package cases

import (
	"errors"
	"fmt"
)

func lookup(users map[string]int, name string) (int, error) {
	id, ok := users[name]
	if !ok {
		return 0, errors.New(fmt.Sprintf("no user %q", name)) // want "errors-new-sprintf"
	}
	return id, nil
}
