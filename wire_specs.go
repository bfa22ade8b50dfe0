package cdslb

import "github.com/cdsgo/cdslb/internal/wire"

// The catalogue as the API writes it: numbers that may come as strings, a
// size named "Name" or "N", engine types as a string or a list.

type specWire struct {
	RegionID    text `json:"RegionId"`
	ProductName text
	Products    list[productWire]
}

type modifySpecWire struct {
	RegionID    text `json:"RegionId"`
	ProductName text
	AttachDisk  list[diskSpecWire]
	CpuRam      list[instanceSizeWire]
}

type productWire struct {
	Version       text
	Architectures list[architectureWire]
}

type architectureWire struct {
	ArchitectureName text
	ArchitectureType wire.Int
	SubProductName   text
	EnginesType      strs
	ComputeRoles     list[struct {
		ComputeName text
		ComputeType wire.Int
		Standards   loose[struct {
			AttachDisk list[diskSpecWire]
			CpuRam     list[instanceSizeWire]
		}]
	}]
}

func (w *architectureWire) value() Architecture {
	a := Architecture{ArchitectureName: string(w.ArchitectureName), ArchitectureType: int(w.ArchitectureType),
		SubProductName: string(w.SubProductName), EnginesType: w.EnginesType}
	if w.ComputeRoles != nil {
		a.ComputeRoles = make([]ComputeRole, len(w.ComputeRoles))
	}
	for i, r := range w.ComputeRoles {
		a.ComputeRoles[i] = ComputeRole{ComputeName: string(r.ComputeName), ComputeType: int(r.ComputeType), Standards: Standards{
			AttachDisk: convert(r.Standards.v.AttachDisk, (*diskSpecWire).value), CPURAM: convert(r.Standards.v.CpuRam, (*instanceSizeWire).value)}}
	}
	return a
}

type instanceSizeWire struct {
	Name, N     text
	CPU, RAM    wire.Int
	PaasGoodsID wire.Int `json:"PaasGoodsId"`
}

func (w *instanceSizeWire) value() InstanceSize {
	s := InstanceSize{Name: string(w.Name), CPU: int(w.CPU), RAMGB: int(w.RAM), PaasGoodsID: int(w.PaasGoodsID)}
	if s.Name == "" {
		s.Name = string(w.N)
	}
	return s
}

type diskSpecWire struct {
	DiskName, DiskValue, DiskUnit             text
	BasicIops                                 wire.Text
	DiskMin, DiskMax, DiskMaxExpand, DiskStep wire.Int
}

func (w *diskSpecWire) value() DiskSpec {
	return DiskSpec{string(w.DiskName), string(w.DiskValue), string(w.DiskUnit), string(w.BasicIops),
		int(w.DiskMin), int(w.DiskMax), int(w.DiskMaxExpand), int(w.DiskStep)}
}
