module cases

go 1.16
