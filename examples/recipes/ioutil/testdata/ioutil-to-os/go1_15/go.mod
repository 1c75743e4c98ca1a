module cases

go 1.15
