package cases

import "fmt"

// Go 1.17 has no any.
func Log(format string, args ...interface{}) {
	fmt.Printf(format, args...)
}
