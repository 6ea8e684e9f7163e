package interop_test

import (
	"fmt"
	"log"

	"github.com/gogru/gogru/cpu"
	"github.com/gogru/gogru/gru"
	"github.com/gogru/gogru/gru/interop"
)

// Loading the weights of a PyTorch nn.GRU(5, 7, num_layers=2, bidirectional=True),
// saved as safetensors, and running them on the CPU backend.
func ExampleLoadPyTorch() {
	cfg := gru.Config{InputSize: 5, HiddenSize: 7, Layers: 2, Bidirectional: true}
	p, err := interop.LoadPyTorch("testdata/pytorch_gru.safetensors", cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("variant:", p.Config.Variant) // PyTorch's cell
	// Cell 2 is layer 1's forward direction; its input is both directions of layer 0.
	fmt.Printf("%s %v is Wx %v transposed\n", interop.PyTorchName(cfg, 2, 0),
		interop.PyTorchShape(cfg, 2, 0), gru.CellShapes(cfg, 1)[0])

	be := cpu.New64()
	defer be.Close()
	st, err := be.NewStack(p.Config, p)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	fmt.Println("stack:", st.Config().Cells(), "cells,", len(st.Params()), "tensors")
	// Output:
	// variant: reset-after
	// weight_ih_l1 [21 14] is Wx [14 21] transposed
	// stack: 4 cells, 16 tensors
}
