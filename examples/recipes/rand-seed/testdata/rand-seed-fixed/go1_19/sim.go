package cases

import "math/rand"

// Before Go 1.20 rand.Seed is how a run is made repeatable.
func Simulate(seed int64) int {
	rand.Seed(seed)
	return rand.Intn(100)
}
