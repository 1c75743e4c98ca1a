package cases

import (
	"math/rand"
	"time"
)

// Before Go 1.20 the generator starts from the same seed every run.
func init() {
	rand.Seed(time.Now().UnixNano())
}
