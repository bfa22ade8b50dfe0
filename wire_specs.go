package cdslb

import "github.com/cdsgo/cdslb/internal/wire"

// The catalogue as the API writes it: numbers that may come as strings, a
// size named "Name" or "N", engine types as a string or a list.

type specWire struct {
	RegionID    string `json:"RegionId"`
	ProductName string
	Products    []productWire
}

type modifySpecWire struct {
	RegionID    string `json:"RegionId"`
	ProductName string
	AttachDisk  []diskSpecWire
	CpuRam      []instanceSizeWire
}

type productWire struct {
	Version       string
	Architectures []architectureWire
}

type architectureWire struct {
	ArchitectureName string
	ArchitectureType wire.Int
	SubProductName   string
	EnginesType      wire.Strings
	ComputeRoles     []struct {
		ComputeName string
		ComputeType wire.Int
		Standards   struct {
			AttachDisk []diskSpecWire
			CpuRam     []instanceSizeWire
		}
	}
}

func (w *architectureWire) value() Architecture {
	a := Architecture{ArchitectureName: w.ArchitectureName, ArchitectureType: int(w.ArchitectureType),
		SubProductName: w.SubProductName, EnginesType: w.EnginesType}
	if w.ComputeRoles != nil {
		a.ComputeRoles = make([]ComputeRole, len(w.ComputeRoles))
	}
	for i, r := range w.ComputeRoles {
		a.ComputeRoles[i] = ComputeRole{ComputeName: r.ComputeName, ComputeType: int(r.ComputeType), Standards: Standards{
			AttachDisk: convert(r.Standards.AttachDisk, (*diskSpecWire).value), CPURAM: convert(r.Standards.CpuRam, (*instanceSizeWire).value)}}
	}
	return a
}

type instanceSizeWire struct {
	Name, N     string
	CPU, RAM    wire.Int
	PaasGoodsID wire.Int `json:"PaasGoodsId"`
}

func (w *instanceSizeWire) value() InstanceSize {
	s := InstanceSize{Name: w.Name, CPU: int(w.CPU), RAMGB: int(w.RAM), PaasGoodsID: int(w.PaasGoodsID)}
	if s.Name == "" {
		s.Name = w.N
	}
	return s
}

type diskSpecWire struct {
	DiskName, DiskValue, DiskUnit             string
	BasicIops                                 wire.Text
	DiskMin, DiskMax, DiskMaxExpand, DiskStep wire.Int
}

func (w *diskSpecWire) value() DiskSpec {
	return DiskSpec{w.DiskName, w.DiskValue, w.DiskUnit, string(w.BasicIops),
		int(w.DiskMin), int(w.DiskMax), int(w.DiskMaxExpand), int(w.DiskStep)}
}
