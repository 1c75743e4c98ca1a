package cases

import "fmt"

type Event struct {
	Name   string
	Fields map[string]interface{} // want "interface-to-any"
}

func Log(format string, args ...interface{}) { // want "interface-to-any"
	fmt.Printf(format, args...)
}

func First[T interface{}](xs []T) T { // want "interface-to-any"
	return xs[0]
}

// A non-empty interface stays.
type Named interface {
	Name() string
}
