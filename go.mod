module github.com/gogru/gogru

go 1.26

require gonum.org/v1/gonum v0.17.0

require github.com/nlpodyssey/safetensors v0.0.0-20250209183917-bfb01cc25f7c // indirect
