package cases

import "math/rand"

// A fixed seed is rand-seed-fixed's business.
func init() {
	rand.Seed(7)
}
