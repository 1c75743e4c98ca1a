module cases

go 1.17
