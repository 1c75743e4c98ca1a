package cases

import (
	"math/rand"
	"time"
)

func Simulate(seed int64) int {
	rand.Seed(seed) // want "rand-seed-fixed" "rand.New(rand.NewSource(seed))"
	return rand.Intn(100)
}

// The clock is rand-seed-clock's business.
func init() {
	rand.Seed(time.Now().UnixNano())
}
