"""python -m jobscope"""

from jobscope.cli import main

if __name__ == "__main__":
    main()
