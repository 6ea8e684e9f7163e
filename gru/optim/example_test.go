package optim_test

import (
	"fmt"

	"github.com/gogru/gogru/gru/optim"
)

// A cosine schedule with two steps of warm-up, over six steps in all, at a base
// rate of 0.1: the rate each of the first seven updates takes.
func ExampleSchedule() {
	s := optim.Schedule{Kind: optim.Cosine, Warmup: 2, Total: 6}
	for t := range 7 {
		fmt.Printf("%.3f ", s.Rate(0.1, t))
	}
	fmt.Println()
	// Output: 0.050 0.100 0.100 0.085 0.050 0.015 0.000
}
