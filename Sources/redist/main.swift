print("redist")
