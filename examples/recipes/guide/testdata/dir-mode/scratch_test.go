package cases

import (
	"os"
	"testing"
)

// Test code is left alone, whatever the mode.
func TestScratch(t *testing.T) {
	if err := os.MkdirAll(t.TempDir()+"/a", 0777); err != nil {
		t.Fatal(err)
	}
}
