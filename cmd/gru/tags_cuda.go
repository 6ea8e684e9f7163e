//go:build cuda

package main

func init() { buildTags = append(buildTags, "cuda") }
