import NACHA
