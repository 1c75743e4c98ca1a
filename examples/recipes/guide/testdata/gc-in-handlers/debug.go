package cases

import (
	"net/http"
	"runtime"
)

// A handler whose collection a comment explains: remove-gc's checks report it.
func debugGC(w http.ResponseWriter, r *http.Request) {
	// The debug page asks for a collection before it reads the heap size.
	runtime.GC() // want "gc-in-handlers" "not rewritten"
	w.WriteHeader(http.StatusNoContent)
}
