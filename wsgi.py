from casemgr import create_app

app = create_app()
