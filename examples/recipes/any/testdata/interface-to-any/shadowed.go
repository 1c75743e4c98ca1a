package cases

// Here any is a parameter: interface{} must stay interface{}.
func Keep(any int) interface{} {
	return any
}
