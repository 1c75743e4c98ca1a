package cases

type Sink interface {
	// Methods to come.
}
