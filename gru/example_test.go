package gru_test

import (
	"errors"
	"fmt"
	"log"
	"math"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
)

// A forward pass of a two-layer stack on the CPU backend over a seeded random
// batch of 32 sequences of 35 steps.
func Example() {
	be := cpu.New32() // cpu.New64() is the oracle; cuda.New() the GPU
	defer be.Close()
	cfg := gru.Config{InputSize: 28, HiddenSize: 256, Layers: 2, Variant: gru.ResetAfter}
	p, err := gru.InitParams(cfg, gru.InitPyTorch, gru.NewRand(1))
	if err != nil {
		log.Fatal(err)
	}
	st, err := be.NewStack(cfg, p)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	const T, B = 35, 32
	x, err1 := be.NewTensor(T, B, 28)   // [T, B, D] (Layout: gru.BatchFirst for [B, T, D])
	y, err2 := be.NewTensor(T, B, 256)  // [T, B, dirs·H]
	hN, err3 := be.NewTensor(2, B, 256) // [layers·dirs, B, H]
	if err := errors.Join(err1, err2, err3); err != nil {
		log.Fatal(err)
	}
	rng := gru.NewRand(2)
	xs := make([]float64, gru.Len(x.Shape()))
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	if err := be.Write(x, xs); err != nil {
		log.Fatal(err)
	}
	// nil h0 starts from zeros; nil lengths means every sequence has T steps.
	if err := st.Forward(x, nil, nil, y, hN); err != nil {
		log.Fatal(err)
	}

	h := make([]float64, gru.Len(hN.Shape()))
	if err := be.Read(h, hN); err != nil {
		log.Fatal(err)
	}
	var sum float64
	for _, v := range h {
		sum += math.Abs(v)
	}
	fmt.Printf("y %v, hN %v, mean |hN| %.3f\n", y.Shape(), hN.Shape(), sum/float64(len(h)))
	// Output:
	// y [35 32 256], hN [2 32 256], mean |hN| 0.073
}
