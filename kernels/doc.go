// Package kernels holds the CUDA sources of gogru's device kernels and embeds their
// compiled fatbin. It arrives with the CUDA backend's issue.
package kernels
