module gomend.bench/typecheck

go 1.22
